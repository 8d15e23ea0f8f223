import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startTestSite, type TestSite } from '../support/test-server';
import { readiness } from '../../src/server/health';

let site: TestSite;
let clock = 0;
beforeAll(async () => {
  site = await startTestSite({ seed: false, now: () => Date.now() + clock });
});
afterAll(() => site.close());

const readyz = async (s: TestSite = site) => {
  const res = await fetch(`${s.url}/readyz`);
  return {
    status: res.status,
    cache: res.headers.get('cache-control'),
    body: (await res.json()) as { status: string; checks: Record<string, { ok: boolean; reason?: string; running?: number }> },
  };
};

describe('/healthz and /readyz', () => {
  it('/healthz says the server answers, and nothing else', async () => {
    const res = await fetch(`${site.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${site.url}/healthz`, { method: 'HEAD' })).status).toBe(200);
    // Not a page in another language, and not something to post to.
    expect((await fetch(`${site.url}/ja/healthz`)).status).toBe(404);
    expect((await fetch(`${site.url}/healthz`, { method: 'POST', headers: { origin: site.url } })).status).not.toBe(200);
  });

  it('/readyz names each check and passes on a working server, without paths or messages', async () => {
    const { status, cache, body } = await readyz();
    expect(status).toBe(200);
    expect(cache).toBe('no-store');
    expect(body.status).toBe('ready');
    expect(Object.keys(body.checks).sort()).toEqual(['database', 'delivery', 'render_threads']);
    expect(body.checks.render_threads!.running).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toContain(site.dir);
  });

  it('answers 503 naming the database while another process holds its write lock, and 200 once it lets go', async () => {
    const other = new Database(site.databasePath);
    other.exec('BEGIN IMMEDIATE');
    try {
      const { status, body } = await readyz();
      expect(status).toBe(503);
      expect(body.status).toBe('not_ready');
      expect(body.checks.database).toEqual({ ok: false, reason: 'locked' });
      expect(body.checks.render_threads!.ok).toBe(true);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await readyz()).status).toBe(200);
  });

  it('fails when the latest scheduled backup is older than twice BACKUP_EVERY', async () => {
    // A folder that cannot be made: every scheduled backup fails, so none is ever newer than the start.
    const blocked = join(site.dir, 'not-a-folder');
    writeFileSync(blocked, 'a file where the folder should be');
    clock = 0;
    const backed = await startTestSite({ seed: false, now: () => Date.now() + clock, env: { BACKUP_DIR: join(blocked, 'backups'), BACKUP_EVERY: '10s' } });
    try {
      const fresh = await readyz(backed);
      expect(fresh.status).toBe(200);
      expect(fresh.body.checks.backups).toMatchObject({ ok: true, latest: 'none_yet' });
      clock = 25_000;
      const stale = await readyz(backed);
      expect(stale.status).toBe(503);
      expect(stale.body.checks.backups).toMatchObject({ ok: false, latest: 'none_yet' });
    } finally {
      clock = 0;
      await backed.close();
    }
  });

  it('fails when the inline delivery loop has not turned for two minutes', () => {
    const deps = { db: site.db, config: site.config, now: () => 1_000_000, startedAt: 0, renderThreads: () => 1 };
    expect(readiness({ ...deps, deliveryTurnAt: () => 1_000_000 - 5_000 }).checks.delivery).toEqual({ ok: true, seconds_since_turn: 5 });
    const stalled = readiness({ ...deps, deliveryTurnAt: () => 1_000_000 - 180_000 });
    expect(stalled.ready).toBe(false);
    expect(stalled.checks.delivery).toEqual({ ok: false, seconds_since_turn: 180 });
    expect(readiness({ ...deps, deliveryTurnAt: undefined }).checks.delivery).toEqual({ ok: true, runs: 'separate_process' });
  });
});

// Scheduled backups as an operator runs them: the remote keeps as many as
// the folder, a remote that is down never holds up the next local backup, a
// misspelt remote is said at start, and an admin can take one at once. The
// remote is Debian's rclone serving WebDAV on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { auditLog } from '../../db/schema';
import { parseConfig } from '../../src/lib/config';
import { copyToRemote, readBackupStatus, runScheduledBackup } from '../../src/lib/site/scheduled-backups';
import type { LogLevel } from '../../src/lib/log';
import { freePort, startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { until } from '../support/until';

let dir: string;
let rcloneConfigBefore: string | undefined;
const children: ChildProcess[] = [];
const sites: TestSite[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shirase-backup-ops-'));
  // rclone reads only this empty configuration: no remote is configured, so any named one is misspelt.
  writeFileSync(join(dir, 'rclone.conf'), '');
  rcloneConfigBefore = process.env.RCLONE_CONFIG;
  process.env.RCLONE_CONFIG = join(dir, 'rclone.conf');
});
afterAll(async () => {
  // Test files share their worker's process: the next one gets the environment as it was.
  if (rcloneConfigBefore === undefined) delete process.env.RCLONE_CONFIG;
  else process.env.RCLONE_CONFIG = rcloneConfigBefore;
  for (const c of children) c.kill();
  await Promise.all(sites.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function webdav(): Promise<{ served: string; remote: string }> {
  const served = mkdtempSync(join(dir, 'webdav-'));
  const port = await freePort();
  children.push(spawn('rclone', ['serve', 'webdav', served, '--addr', `127.0.0.1:${port}`], { stdio: 'ignore' }));
  await until(async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined))?.status === 200);
  return { served, remote: `:webdav,url='http://127.0.0.1:${port}':nightly` };
}

async function site(env: Record<string, string>, log?: (line: string, level?: LogLevel) => void): Promise<TestSite> {
  const s = await startTestSite({ seed: true, env, log });
  sites.push(s);
  return s;
}

describe('scheduled backups', () => {
  it('keep the newest BACKUP_KEEP on the remote as in the folder, and nothing else there is touched', async () => {
    const { served, remote } = await webdav();
    const s = await site({});
    const backups = join(dir, 'kept');
    const config = parseConfig({
      DATABASE_PATH: s.databasePath,
      POSTMORTEMS_DIR: join(s.dir, 'postmortems'),
      BACKUP_DIR: backups,
      BACKUP_EVERY: '6h',
      BACKUP_KEEP: '2',
      BACKUP_RCLONE_REMOTE: remote,
    });
    mkdirSync(join(served, 'nightly'), { recursive: true });
    writeFileSync(join(served, 'nightly', 'notes.txt'), 'kept by someone else');
    for (const hour of [0, 6, 12, 18]) {
      const status = await runScheduledBackup(s.db, config, { now: () => Date.UTC(2026, 5, 18, hour) });
      expect(status.remote).toMatchObject({ ok: true });
    }
    const newest = ['shirase-backup-2026-06-18T12-00-00Z.tar', 'shirase-backup-2026-06-18T18-00-00Z.tar'];
    expect(
      readdirSync(backups)
        .filter((f) => f.endsWith('.tar'))
        .sort(),
    ).toEqual(newest);
    expect(readdirSync(join(served, 'nightly')).sort()).toEqual(['notes.txt', ...newest]);
  });

  it('go on locally while a remote that is down is still being retried', async () => {
    const closed = await freePort();
    const backups = join(dir, 'while-down');
    const s = await site({ BACKUP_DIR: backups, BACKUP_EVERY: '10s', BACKUP_RCLONE_REMOTE: `:webdav,url='http://127.0.0.1:${closed}':x` });
    // The server retries the copy after a doubling wait from BACKUP's default (30 s): far longer than the interval.
    const taken = () => (existsSync(backups) ? readdirSync(backups).filter((f) => f.endsWith('.tar')) : []);
    await until(() => taken().length >= 1, 10_000);
    await until(() => taken().length >= 2, 20_000);
    // The first copy has not finished its retries, yet the second backup is there.
    expect(readBackupStatus(backups).remote).toBeUndefined();
    expect(s.url).toBeTruthy();
  }, 40_000);

  it('stop retrying a remote that is down when the server stops, at once and without writing a status', async () => {
    const closed = await freePort();
    const backups = join(dir, 'stopping');
    mkdirSync(backups);
    writeFileSync(join(backups, 'shirase-backup-2026-01-01T00-00-00Z.tar'), 'not really a backup');
    const stopping = new AbortController();
    const config = parseConfig({
      DATABASE_PATH: join(dir, 'unused.db'),
      BACKUP_DIR: backups,
      BACKUP_EVERY: '1d',
      BACKUP_RCLONE_REMOTE: `:webdav,url='http://127.0.0.1:${closed}':x`,
    });
    const started = Date.now();
    // A minute between attempts: only the stop can end this copy in time.
    const copy = copyToRemote(
      config,
      { file: join(backups, 'shirase-backup-2026-01-01T00-00-00Z.tar'), name: 'shirase-backup-2026-01-01T00-00-00Z.tar' },
      { now: () => Date.now(), remoteRetryMs: 60_000, signal: stopping.signal },
    );
    await new Promise((r) => setTimeout(r, 1_500));
    stopping.abort();
    expect(await copy).toEqual({});
    expect(Date.now() - started).toBeLessThan(15_000);
    // The status says nothing of a copy the stop cut short.
    expect(readBackupStatus(backups).remote).toBeUndefined();
  });

  it('say at start that BACKUP_RCLONE_REMOTE names a remote rclone does not have', async () => {
    const lines: { line: string; level?: LogLevel }[] = [];
    const backups = join(dir, 'misspelt');
    await site({ BACKUP_DIR: backups, BACKUP_EVERY: '6h', BACKUP_RCLONE_REMOTE: 'ofsite:shirase' }, (line, level) => lines.push({ line, level }));
    const said = await until(() => lines.find((l) => l.line.includes('BACKUP_RCLONE_REMOTE=ofsite:shirase')), 10_000);
    expect(said.level).toBe('warn');
    expect(said.line).toContain('rclone has no remote named "ofsite"');
    await until(() => readBackupStatus(backups).remote?.attempts === 0 || readBackupStatus(backups).remote?.attempts === 1, 10_000);
  });
});

describe('Take a backup now (Admin → Settings)', () => {
  it('takes one at once for an admin, audited, and is refused to an editor', async () => {
    const backups = join(dir, 'now');
    const s = await site({ BACKUP_DIR: backups, BACKUP_EVERY: '1d' });
    // The schedule's own first backup comes at start; wait for it so the one taken now is told apart.
    await until(() => existsSync(backups) && readdirSync(backups).some((f) => f.endsWith('.tar')), 10_000);
    const before = readdirSync(backups).filter((f) => f.endsWith('.tar')).length;
    await new Promise((r) => setTimeout(r, 1_100));
    const admin = await signedInStaff(s, 'admin');
    const res = await admin.post('/admin/settings', { intent: 'backup_now' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/settings?done=backup#backup-status');
    expect(readdirSync(backups).filter((f) => f.endsWith('.tar')).length).toBe(before + 1);
    const page = await (await admin.get('/admin/settings?done=backup')).text();
    expect(page).toContain('Backup taken.');
    expect(page).toContain('Take a backup now');
    expect(s.db.select().from(auditLog).where(eq(auditLog.action, 'settings.backup_now')).all()).toHaveLength(1);

    const editor = await signedInStaff(s, 'editor');
    expect((await editor.post('/admin/settings', { intent: 'backup_now' })).status).toBe(403);
    expect(readdirSync(backups).filter((f) => f.endsWith('.tar')).length).toBe(before + 1);
  });

  it('says how to turn backups on when the server takes none, in Japanese too', async () => {
    const s = await site({});
    const admin = await signedInStaff(s, 'admin');
    const res = await admin.post('/ja/admin/settings', { intent: 'backup_now' });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('BACKUP_DIR と BACKUP_EVERY を設定');
  });
});

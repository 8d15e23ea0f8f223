// What an operator meets behind Debian's nginx with the shipped
// configuration on a port other than 80: staff sign in, health passes
// through as the origin says it, and metrics never leave the machine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createUser } from '../../src/lib/auth/create-user';
import { startTestSite, type TestSite } from '../support/test-server';
import { startNginx, type RunningNginx } from '../support/nginx';

let dir: string;
let site: TestSite;
let direct: TestSite;
let nginx: RunningNginx;
const password = 'correct horse battery staple';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shirase-nginx-ops-'));
  const copy = join(dir, 'copy');
  mkdirSync(copy);
  writeFileSync(join(copy, 'index.html'), '<p>the static copy</p>');
  [site, direct] = await Promise.all([startTestSite({ seed: false, env: { TRUST_PROXY: 'loopback' } }), startTestSite({ seed: false })]);
  await createUser(site.db, { email: 'ops@example.com', role: 'admin', password }, { now: Date.now() });
  await createUser(direct.db, { email: 'ops@example.com', role: 'admin', password }, { now: Date.now() });
  nginx = await startNginx({ upstreamPort: Number(new URL(site.url).port), copyDir: copy });
});
afterAll(async () => {
  await nginx?.stop();
  await Promise.all([site?.close(), direct?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const signIn = (url: string, origin: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/admin/login`, {
    method: 'POST',
    body: new URLSearchParams({ email: 'ops@example.com', password }),
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, ...headers },
  });

describe('behind the shipped nginx on a port other than 80', () => {
  it("lets staff sign in: the browser's host and port reach the origin", async () => {
    expect(new URL(nginx.url).port).not.toBe('80');
    const res = await signIn(nginx.url, nginx.url);
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toMatch(/^shirase_session=/);
  });

  it('still refuses a form from another site', async () => {
    expect((await signIn(nginx.url, 'http://elsewhere.example')).status).toBe(403);
  });

  it('believes X-Forwarded-Host only from a proxy TRUST_PROXY names', async () => {
    // Straight to an origin without TRUST_PROXY: the header a client made up does not move the check.
    expect((await signIn(direct.url, 'http://elsewhere.example', { 'x-forwarded-host': 'elsewhere.example' })).status).toBe(403);
    expect((await signIn(direct.url, direct.url)).status).toBe(303);
  });

  it('passes /healthz and /readyz through as the origin answers, a 503 included, and never shows /metrics', async () => {
    const health = await fetch(`${nginx.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${nginx.url}/readyz`)).status).toBe(200);
    const other = new Database(site.databasePath);
    other.exec('BEGIN IMMEDIATE');
    try {
      const notReady = await fetch(`${nginx.url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(((await notReady.json()) as { status: string }).status).toBe('not_ready');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // nginx's connections come from loopback: without this rule it would hand the metrics to anyone.
    expect((await fetch(`${nginx.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${site.url}/metrics`)).status).toBe(200);
  });
});

// What the server writes to its log: JSON lines with a level and a time when
// its output is not a terminal, one line per request with LOG_REQUESTS=1
// (the path only), warnings for what an operator must look at, and never a
// secret, a token or a query string.
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import { startServerProcess } from '../support/server-process';
import { startTestSite, type TestSite } from '../support/test-server';
import { createCheck } from '../../src/lib/checks/save-check';
import { until } from '../support/until';
import type { LogLevel } from '../../src/lib/log';

const sites: TestSite[] = [];
afterAll(() => Promise.all(sites.map((s) => s.close())));

describe('the log', () => {
  it('is JSON lines with level and time, an access line per request without its query, and no password or token', async () => {
    const server = await startServerProcess({ LOG_REQUESTS: '1' });
    const secret = 'not-for-the-log-1234567890';
    try {
      expect((await fetch(`${server.url}/history?token=${secret}`)).status).toBe(200);
      expect((await fetch(`${server.url}/unsubscribe?token=${secret}`)).status).toBeLessThan(500);
      await until(() => server.output().includes('"path":"/unsubscribe"'));
    } finally {
      await server.stop();
    }
    const lines = server.output().trim().split('\n');
    const entries = lines.map((line) => JSON.parse(line) as { level: number; time: number; msg: string; path?: string; status?: number; ms?: number });
    for (const e of entries) {
      expect(typeof e.level).toBe('number');
      expect(e.time).toBeGreaterThan(Date.UTC(2026, 0, 1));
      expect(typeof e.msg).toBe('string');
    }
    expect(entries.find((e) => e.msg.includes('is live at'))).toBeDefined();
    expect(entries.find((e) => e.path === '/history')).toMatchObject({ level: 30, status: 200, msg: expect.stringMatching(/^GET \/history 200 \d+ ms$/) });
    expect(server.output()).not.toContain(secret);
    expect(server.output()).not.toContain(server.adminPassword);
  });

  it('warns once per delivery batch that did not all go out, and when a check changes state', async () => {
    // A mail server that is not there, and a check on a port nothing listens on: both fail on loopback.
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const logged: { line: string; level: LogLevel; fields: Record<string, unknown> }[] = [];
    const site = await startTestSite({
      seed: false,
      env: { SMTP_URL: `smtp://127.0.0.1:${closed}`, MAIL_TIMEOUT_SECONDS: '1', WEBHOOK_ALLOW_PRIVATE: '1' },
      log: (line, level: LogLevel = 'info', fields = {}) => logged.push({ line, level, fields }),
    });
    sites.push(site);
    const form = new URLSearchParams({ email: 'reader@example.com' });
    await fetch(`${site.url}/subscribe`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: site.url },
    });
    const batch = await until(() => logged.find((l) => l.line.includes('delivery batch')), 20_000);
    expect(batch).toMatchObject({ level: 'warn', fields: { sent: 0 } });
    expect(batch.line).toMatch(/0 sent, 1 to retry, 0 failed/);
    expect(batch.line).not.toContain('reader@example.com');

    const id = createCheck(
      site.db,
      {
        name: 'Nothing here',
        kind: 'tcp',
        target: `127.0.0.1:${closed}`,
        intervalSeconds: 30,
        timeoutSeconds: 1,
        expectedStatus: '200',
        failuresBefore: 1,
        labels: '',
      },
      { now: Date.now() },
    ).id;
    const down = await until(() => logged.find((l) => l.line.includes('check Nothing here is down')), 20_000);
    expect(down).toMatchObject({ level: 'warn', fields: { check: id, state: 'down' } });
  }, 60_000);
});

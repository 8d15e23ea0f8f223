import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { startServerProcess } from '../support/server-process';
import { programArgs } from '../support/programs';
import { createApiToken } from '../../src/lib/auth/create-api-token';

let site: TestSite;
const logged: string[] = [];
const postmortems = mkdtempSync(join(tmpdir(), 'shirase-pm-'));
beforeAll(async () => {
  // The safety-net poll is slowed to a minute: anything seen sooner was seen through the file system's events.
  // Two real render threads: this file tests them.
  site = await startTestSite({ seed: true, changePollMs: 60_000, renderThreads: 2, env: { POSTMORTEMS_DIR: postmortems }, log: (line) => logged.push(line) });
});
afterAll(() => site?.close());

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, limitMs = 3_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  let value = await read();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    value = await read();
  }
  return value;
}

const page = (path: string) => fetch(site.url + path).then((r) => r.text());

describe('the change feed', () => {
  it('sees a commit by another process through the file system, without waiting for its poll', async () => {
    execFileSync(process.execPath, [...programArgs('tests/support/open-incident-process.ts'), site.databasePath, 'Seen through the WAL'], { encoding: 'utf8' });
    expect(
      await eventually(
        () => page('/'),
        (h) => h.includes('Seen through the WAL'),
      ),
    ).toContain('Seen through the WAL');
  });

  it('sees a postmortem file written by an editor the same way', async () => {
    const incidentId = site.db.$client.prepare('select id from incidents limit 1').pluck().get() as string;
    writeFileSync(
      join(postmortems, '2026-11-01-written-in-an-editor.md'),
      `---\ntitle: Written in an editor\nslug: written-in-an-editor\ndate: 2026-11-01\nincidents: [${incidentId}]\npublished: 2026-11-02T00:00:00Z\n---\n\nBody.\n`,
    );
    expect(
      await eventually(
        () => page('/postmortems'),
        (h) => h.includes('Written in an editor'),
      ),
    ).toContain('Written in an editor');
  });
});

/** The TCP ports a process listens on, read from /proc as `ss -ltnp` would. */
function listeningPorts(pid: number): number[] {
  const sockets = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const target = (() => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    })();
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) sockets.add(inode);
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // Field 3 is the state (0A: listening), field 9 the socket's inode.
      if (fields[3] === '0A' && sockets.has(fields[9]!)) ports.push(parseInt(fields[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

describe('render threads', () => {
  it('take requests as messages: the process listens on one port, the one it serves', async () => {
    const server = await startServerProcess({ RENDER_THREADS: '2' });
    try {
      // A staff screen and a public page both rendered, on threads that have no listener of their own.
      expect((await fetch(`${server.url}/admin/login`)).status).toBe(200);
      expect((await fetch(`${server.url}/history`)).status).toBe(200);
      expect(listeningPorts(server.pid)).toEqual([Number(new URL(server.url).port)]);
    } finally {
      await server.stop();
    }
  });

  it('are replaced when one dies, and the site goes on answering', async () => {
    const before = site.server.renderers.threadIds;
    expect(before.length).toBeGreaterThan(0);
    await site.server.renderers.terminate(before[0]!);
    const after = await eventually(
      async () => site.server.renderers.threadIds,
      (ids) => ids.length === before.length && !ids.includes(before[0]!),
      10_000,
    );
    expect(after.length).toBe(before.length);
    expect(after).not.toContain(before[0]);
    expect(logged.some((l) => l.includes('render thread stopped'))).toBe(true);
    // Staff screens and renders run on the new thread.
    const staff = await signedInStaff(site);
    expect((await staff.get('/admin')).status).toBe(200);
    execFileSync(process.execPath, [...programArgs('tests/support/open-incident-process.ts'), site.databasePath, 'After the crash'], { encoding: 'utf8' });
    expect(
      await eventually(
        () => page('/'),
        (h) => h.includes('After the crash'),
        10_000,
      ),
    ).toContain('After the crash');
  });
});

describe('a write through the API', () => {
  it('is read back at once on every page it changed, the pages rendered behind its answer', async () => {
    const { token } = createApiToken(site.db, { name: 'read-back', scopes: ['incidents'] }, { now: Date.now() });
    const write = (path: string, body: unknown) =>
      fetch(site.url + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const opened = await write('/api/v1/incidents', { name: 'Slow receipts', status: 'investigating', body: 'Receipts take minutes to arrive.' });
    expect(opened.status).toBe(201);
    const { id } = await opened.json();
    // Read several times, so they are among the pages a change renders again.
    for (let i = 0; i < 3; i++) await Promise.all(['/', '/ja/', '/api/v2/summary.json'].map(page));
    for (let i = 1; i <= 8; i++) {
      const text = `Receipt queue drained to ${i * 10} %.`;
      const status = i % 2 === 0 ? 'monitoring' : 'identified';
      expect((await write(`/api/v1/incidents/${id}/updates`, { status, body: text, notify: false })).status).toBe(201);
      const [front, ja, summary] = await Promise.all(['/', '/ja/', '/api/v2/summary.json'].map(page));
      expect(front, `after write ${i}`).toContain(text);
      expect(ja, `after write ${i}`).toContain(text);
      expect(JSON.parse(summary!).incidents.find((incident: { id: string }) => incident.id === id)?.status, `after write ${i}`).toBe(status);
    }
  });
});

describe('the static copy', () => {
  it('does not push the pages readers read out of the cache', async () => {
    await page('/');
    await page('/history');
    const { files } = await site.server.exportTo(mkdtempSync(join(tmpdir(), 'shirase-export-')));
    expect(files).toBeGreaterThan(20);
    expect(site.server.cache.peek('/')).toBeDefined();
    expect(site.server.cache.peek('/history')).toBeDefined();
  });
});

describe('one request context', () => {
  it('gives /, /en/ and /ja/ the same clock, and keeps the language a page names when it is served from memory', async () => {
    const fixed = Date.UTC(2020, 0, 1, 3, 0);
    const clocked = await startTestSite({ seed: true, now: () => fixed });
    try {
      const stamp = (html: string) => /class="banner-updated">[^<]*<time[^>]*>([^<]+)</.exec(html)?.[1];
      const [root, en, ja] = await Promise.all(['/', '/en/', '/ja/'].map((p) => fetch(clocked.url + p).then((r) => r.text())));
      expect(stamp(root!)).toContain('1 Jan 2020');
      expect(stamp(en!)).toBe(stamp(root!));
      expect(stamp(ja!)).toContain('2020/01/01 12:00');
      // Asked twice: the second answer is the cached one.
      for (const [path, language] of [
        ['/', 'en'],
        ['/ja/', 'ja'],
        ['/ja/history', 'ja'],
        ['/history', 'en'],
      ] as const) {
        await fetch(clocked.url + path);
        expect((await fetch(clocked.url + path)).headers.get('content-language'), path).toBe(language);
      }
    } finally {
      await clocked.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startTestSite, type TestSite } from '../support/test-server';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { scheduleMaintenance } from '../../src/lib/incidents/schedule-maintenance';
import { loadComponentTree } from '../../src/lib/components/load-components';
import { publicKeys, withoutLiveVersion } from '../../src/server/export-site';
import { PublicRoutes } from '../../src/server/public-routes';
import { until } from '../support/until';

// The live updates and the static export share one site; the tests that need another setting start their own.
let site: TestSite;
beforeAll(async () => {
  // Rounds of an hour: no test here straddles the end of one by chance.
  site = await startTestSite({ seed: true, liveRoundMs: 3_600_000 });
});
afterAll(() => site?.close());

describe('live updates', () => {
  it('tells a Server-Sent Events client when something changes', async () => {
    const received: string[] = [];
    const req = request(site.url + '/events');
    const opened = new Promise<void>((resolve) => {
      req.on('response', (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => received.push(chunk));
        resolve();
      });
    });
    req.end();
    await opened;
    openIncident(site.db, { name: 'Live one', status: 'investigating', body: 'Watching.' }, { now: Date.now() });
    const event = await until(async () => received.join('').match(/event: change\ndata: (\{.*\})/)?.[1]);
    expect(JSON.parse(event!)).toEqual({ generation: expect.any(Number), version: expect.any(String) });
    req.destroy();
    await until(async () => (site.server.live.size === 0 ? true : undefined));
    expect(site.server.live.size).toBe(0);
  });

  it('tells a client that connects the version out now, so a page older than it catches up at once', async () => {
    await site.server.checkForChanges();
    const current = (await (await fetch(site.url + '/live.json')).json()).version;
    const received: string[] = [];
    const req = request(site.url + '/events');
    req.on('response', (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => received.push(chunk));
    });
    req.end();
    const first = await until(async () => received.join('').match(/event: current\ndata: (\{.*\})/)?.[1]);
    expect(JSON.parse(first!)).toEqual({ version: current });
    req.destroy();
  });

  it('serves a small change document, whose version moves with every change', async () => {
    const first = await fetch(site.url + '/live.json');
    expect(first.headers.get('vary')).toBeNull();
    const { version } = (await first.json()) as { version: string };
    expect(version).toMatch(/^[a-z0-9]+\.\d+$/);
    openIncident(site.db, { name: 'Polled one', status: 'investigating', body: 'Watching.' }, { now: Date.now() });
    await site.server.checkForChanges();
    const after = (await (await fetch(site.url + '/live.json')).json()) as { version: string };
    expect(after.version).not.toBe(version);
    // Announced only once the page shows it: the page fetched after the change has it, and names that version.
    const page = await (await fetch(`${site.url}/?v=${after.version}`)).text();
    expect(page).toContain('Polled one');
    expect(page).toContain(`data-live-version="${after.version}"`);
    expect(await (await fetch(`${site.url}/ja/`)).text()).toContain(`data-live-version="${after.version}"`);
    expect(await (await fetch(site.url + '/')).text()).toContain('data-live="events"');
  });

  const CACHE_CONTROL = 'public, max-age=1, stale-while-revalidate=1, stale-if-error=86400';
  const WAIT = { prefer: 'wait=20' };
  type Doc = { version: string; round: number };

  it('holds a waiting cache’s question about the current version and round until the next change, and answers anything else at once', async () => {
    const first = await fetch(site.url + '/live.json');
    expect(first.headers.get('cache-control')).toBe(CACHE_CONTROL);
    const { version, round } = (await first.json()) as Doc;
    const question = `/live.json?since=${version}&round=${round}`;
    const [start, count] = [version.slice(0, version.lastIndexOf('.')), Number(version.slice(version.lastIndexOf('.') + 1))];
    // A browser or a CDN (no Prefer), an older version, another spelling, a past round: answered at once with the document as it is.
    for (const [path, headers, cacheControl] of [
      [question, {}, CACHE_CONTROL],
      ['/live.json?since=0.0&round=' + round, WAIT, CACHE_CONTROL],
      [`/live.json?round=${round}&since=${version}`, WAIT, CACHE_CONTROL],
      [`${question}&x=1`, WAIT, CACHE_CONTROL],
      [`/live.json?since=${version}&round=${round - 1}`, WAIT, CACHE_CONTROL],
      // A version or round still to come: answered, but an answer a cache kept would later tell pages something older.
      [`/live.json?since=${start}.${count + 1}&round=${round}`, WAIT, 'no-store'],
      [`/live.json?since=${version}&round=${round + 1}`, WAIT, 'no-store'],
    ] as const) {
      const res = await fetch(site.url + path, { headers });
      expect(res.headers.get('cache-control')).toBe(cacheControl);
      expect((await res.json()) as Doc).toEqual({ version, round });
    }
    expect(site.server.live.waiting).toBe(0);
    // The question itself, from a cache that waits, is held…
    let answered = false;
    const held = fetch(site.url + question, { headers: WAIT }).then((res) => ((answered = true), res));
    await until(() => site.server.live.waiting === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(answered).toBe(false);
    openIncident(site.db, { name: 'Held one', status: 'investigating', body: 'Watching.' }, { now: Date.now() });
    await site.server.checkForChanges();
    // …and answered with the new version once the pages show it.
    const answer = await held;
    expect(answer.headers.get('cache-control')).toBe(CACHE_CONTROL);
    const next = (await answer.json()) as Doc;
    expect(next.version).not.toBe(version);
    expect(next.round).toBe(round);
    expect(await (await fetch(`${site.url}/?v=${next.version}`)).text()).toContain('Held one');
    expect(site.server.live.waiting).toBe(0);
  });

  it('answers a held question at the end of its round, naming the next', async () => {
    const short = await startTestSite({ seed: false, liveRoundMs: 1_500 });
    try {
      // From the start of a fresh round, so the question is held for most of one.
      const before = (await (await fetch(short.url + '/live.json')).json()) as Doc;
      const { version, round } = await until(async () => {
        const now = (await (await fetch(short.url + '/live.json')).json()) as Doc;
        return now.round !== before.round && now;
      });
      const asked = Date.now();
      const res = await fetch(`${short.url}/live.json?since=${version}&round=${round}`, { headers: WAIT });
      expect(Date.now() - asked).toBeGreaterThan(1_000);
      expect(res.headers.get('cache-control')).toBe(CACHE_CONTROL);
      expect((await res.json()) as Doc).toEqual({ version, round: round + 1 });
      expect(short.server.live.waiting).toBe(0);
    } finally {
      await short.close();
    }
  });

  it('holds at most eight questions per connecting address, answering the rest at once', async () => {
    const { version, round } = (await (await fetch(site.url + '/live.json')).json()) as Doc;
    const url = `${site.url}/live.json?since=${version}&round=${round}`;
    const held = Array.from({ length: 8 }, () => fetch(url, { headers: WAIT }));
    await until(() => site.server.live.waiting === 8);
    const ninth = await fetch(url, { headers: WAIT });
    expect((await ninth.json()) as Doc).toEqual({ version, round });
    openIncident(site.db, { name: 'Held eight', status: 'investigating', body: 'Watching.' }, { now: Date.now() });
    await site.server.checkForChanges();
    for (const answer of await Promise.all(held)) expect(((await answer.json()) as Doc).version).not.toBe(version);
  });

  it('holds any number of questions from a proxy it trusts (nginx asks one per encoding, and one per 1,024 waiting pages)', async () => {
    const proxied = await startTestSite({ seed: false, env: { TRUST_PROXY: 'loopback' }, liveRoundMs: 3_600_000 });
    try {
      const { version, round } = (await (await fetch(proxied.url + '/live.json')).json()) as Doc;
      const held = Array.from({ length: 12 }, () => fetch(`${proxied.url}/live.json?since=${version}&round=${round}`, { headers: WAIT }));
      await until(() => proxied.server.live.waiting === 12);
      openIncident(proxied.db, { name: 'Held twelve', status: 'investigating', body: 'Watching.' }, { now: Date.now() });
      await proxied.server.checkForChanges();
      expect((await Promise.all(held)).map((r) => r.status)).toEqual(Array(12).fill(200));
    } finally {
      await proxied.close();
    }
  });

  it('caps live connections and asks the rest to come back later', async () => {
    const small = await startTestSite({ seed: false, env: {}, maxLiveClients: 1 });
    try {
      const first = request(small.url + '/events');
      const firstOpen = new Promise((r) => first.on('response', r));
      first.end();
      await firstOpen;
      const second = await fetch(small.url + '/events');
      expect(second.status).toBe(503);
      expect(second.headers.get('retry-after')).toBe('30');
      first.destroy();
    } finally {
      await small.close();
    }
  });
});

describe('time-based re-rendering', () => {
  let clock = Date.now();
  let site: TestSite;
  beforeAll(async () => {
    site = await startTestSite({ seed: true, now: () => clock, maintenancePollMs: 50 });
  });
  afterAll(() => site?.close());

  it('starts a maintenance window on time and shows it without any write by staff', async () => {
    const web = loadComponentTree(site.db, clock).all.find((c) => c.name === 'Web app')!;
    scheduleMaintenance(
      site.db,
      { name: 'Timed window', body: 'Starts by itself.', componentIds: [web.id], scheduledFor: clock + 5 * 60_000, scheduledUntil: clock + 65 * 60_000 },
      { now: clock },
    );
    await site.server.checkForChanges();
    const before = await (await fetch(site.url + '/')).text();
    expect(before).not.toContain('Maintenance in progress');
    clock += 6 * 60_000;
    const during = await until(async () => {
      const html = await (await fetch(site.url + '/')).text();
      return html.includes('Maintenance in progress') ? html : undefined;
    });
    expect(during).toContain('Service Under Maintenance');
  });

  it('renders the status page again when the clock has moved on', async () => {
    const stamp = (html: string) => /Updated <time[^>]*>([^<]+)</.exec(html)![1];
    const first = stamp(await (await fetch(site.url + '/')).text());
    clock += 2 * 60 * 60_000;
    const later = await until(async () => {
      const s = stamp(await (await fetch(site.url + '/')).text());
      return s !== first ? s : undefined;
    });
    expect(later).toBeDefined();
  });
});

describe('static export', () => {
  let dir: string;
  let staticServer: Server;
  let staticUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shirase-export-'));
    await site.server.exportTo(dir);
    // A plain static file server, as nginx would be: folders serve index.html, unknown paths 404.html.
    staticServer = createServer((req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
      let file = join(dir, path);
      try {
        if (statSync(file).isDirectory()) file = join(file, 'index.html');
        const body = readFileSync(file);
        res.writeHead(200, { 'content-type': extname(file) === '.json' ? 'application/json' : 'text/html' }).end(body);
      } catch {
        res.writeHead(404).end(readFileSync(join(dir, '404.html')));
      }
    });
    await new Promise<void>((r) => staticServer.listen(0, '127.0.0.1', r));
    staticUrl = `http://127.0.0.1:${(staticServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    staticServer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves every public page and API document byte for byte as the live site does, but for the live-update version', async () => {
    const keys = publicKeys(PublicRoutes.read(resolve('dist')), site.db).filter((k) => k !== '/404');
    expect(keys.length).toBeGreaterThan(20);
    for (const key of keys) {
      const [live, exported] = await Promise.all([fetch(site.url + key), fetch(staticUrl + key)]);
      expect(exported.status, key).toBe(200);
      const [liveBody, exportedBody] = [Buffer.from(await live.arrayBuffer()), Buffer.from(await exported.arrayBuffer())];
      // The copy keeps no live-update version (it changes with every change, and would make rclone send every page).
      expect(exportedBody.includes('data-live-version'), key).toBe(false);
      expect(exportedBody.equals(withoutLiveVersion(liveBody)), key).toBe(true);
    }
    const styles = await fetch(staticUrl + '/styles.css');
    expect(styles.status).toBe(200);
  });

  it('answers unknown paths with the exported not-found page', async () => {
    const res = await fetch(staticUrl + '/incidents/zzzzzzzzzzzz');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Page not found');
  });
});

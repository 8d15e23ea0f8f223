// Shirase behind Debian's nginx with the shipped deploy/nginx/shirase.conf:
// what nginx keeps and for how long, what it never keeps, and what readers
// get when the origin is gone: the static copy Shirase published to a
// WebDAV remote (rclone serve webdav on loopback), served by nginx from the
// folder it arrived in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startTestSite, type TestSite } from '../support/test-server';
import { startNginx, type RunningNginx } from '../support/nginx';
import { signedInStaff } from '../support/staff';
import { until } from '../support/until';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { readPublishStatus } from '../../src/lib/site/publish-copy';
import { eq } from 'drizzle-orm';
import { viewerLinks } from '../../db/schema';
import { addPage } from '../../src/lib/pages/add-page';
import { requestViewerLink, signInViewer, viewerLinkToken } from '../../src/lib/viewers/viewer-access';
import { askAs } from '../support/api-and-text';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

async function startWebdav(served: string): Promise<{ remote: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('rclone', ['serve', 'webdav', served, '--addr', `127.0.0.1:${port}`], { stdio: 'ignore' });
  await until(async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/`)).status < 500;
    } catch {
      return false;
    }
  });
  return { remote: `:webdav,url='http://127.0.0.1:${port}':`, child };
}

describe('behind nginx with the shipped configuration', () => {
  let dir: string;
  let arrived: string;
  let webdav: ChildProcess;
  let site: TestSite;
  let nginx: RunningNginx;
  const via = (path: string, headers: Record<string, string> = {}) => fetch(nginx.url + path, { headers, redirect: 'manual' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shirase-edge-'));
    arrived = join(dir, 'arrived');
    mkdirSync(arrived);
    const dav = await startWebdav(arrived);
    webdav = dav.child;
    site = await startTestSite({
      seed: true,
      env: { EXPORT_DIR: join(dir, 'export'), EXPORT_RCLONE_REMOTE: dav.remote, TRUST_PROXY: 'loopback' },
      liveRoundMs: 6_000,
    });
    nginx = await startNginx({ upstreamPort: Number(new URL(site.url).port), copyDir: arrived });
  });

  afterAll(async () => {
    await nginx?.stop();
    await site?.close();
    webdav?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fetches a page from the origin once, then answers from its cache', async () => {
    const first = await via('/history', { 'accept-encoding': 'gzip, deflate, br' });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache-status')).toBe('MISS');
    const body = await first.text();
    const second = await via('/history', { 'accept-encoding': 'br' });
    expect(second.headers.get('x-cache-status')).toBe('HIT');
    expect(await second.text()).toBe(body);
    // nginx logs what it did with each request: the same, from its own side (written once the answer has gone, so a moment after it arrives).
    const logged = await until(() => {
      const lines = nginx.accessLog().filter((line) => line.endsWith(' /history'));
      return lines.length >= 2 ? lines : undefined;
    });
    expect(logged).toEqual(['200 MISS /history', '200 HIT /history']);
  });

  it('never keeps a private page’s answer: a viewer is answered by the origin each time, a stranger gets 401', async () => {
    const host = 'status.partners.example.com';
    const ios = site.db.$client.prepare("SELECT id FROM components WHERE name = 'iOS app'").pluck().get() as string;
    const { pageId } = addPage(
      site.db,
      { slug: 'edge-partners', name: 'Partner status', hosts: [host], componentIds: [ios], private: true, viewers: ['@acme.example'] },
      { now: Date.now() },
    );
    await site.server.checkForChanges();
    // A viewer's session, as following the mailed link makes one.
    requestViewerLink(site.db, pageId, { email: 'dana@acme.example' }, '127.0.0.9', Date.now());
    const link = site.db.select().from(viewerLinks).where(eq(viewerLinks.email, 'dana@acme.example')).get()!;
    const cookie = `shirase_viewer=${signInViewer(site.db, pageId, viewerLinkToken(site.db, link), Date.now()).token}`;
    const through = (path: string, headers: Record<string, string> = {}) => askAs({ url: nginx.url }, path, host, { headers });
    for (const path of ['/', '/api/v2/summary.json']) {
      for (let i = 0; i < 2; i++) {
        const seen = await through(path, { cookie });
        expect(seen.status, path).toBe(200);
        expect(seen.headers['cache-control'], path).toBe('private, no-cache');
        expect(seen.headers['x-cache-status'], path).not.toBe('HIT');
      }
      const stranger = await through(path);
      expect(stranger.status, path).toBe(401);
      expect(stranger.text, path).not.toContain('iOS app');
    }
  });

  it('keeps one copy per language the origin tells apart, however the browser spells it', async () => {
    const first = await via('/postmortems', { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.8' });
    expect(first.headers.get('x-cache-status')).toBe('MISS');
    expect(first.headers.get('vary')).toBe('Accept-Encoding, Accept-Language');
    const ja = await first.text();
    expect(ja).toContain('<html lang="ja"');
    const second = await via('/postmortems', { 'accept-language': 'ja' });
    expect(second.headers.get('x-cache-status')).toBe('HIT');
    expect(await second.text()).toBe(ja);
    const english = await via('/postmortems', { 'accept-language': 'en-GB,en;q=0.9' });
    expect(english.headers.get('x-cache-status')).toBe('MISS');
    expect(await english.text()).toContain('<html lang="en"');
    // A prefixed page is the same whatever the header says: no Accept-Language in its Vary.
    const prefixed = await via('/ja/postmortems', { 'accept-language': 'en' });
    expect(prefixed.headers.get('vary')).toBe('Accept-Encoding');
  });

  it('shows an update once the cached copy is past its max-age, and at once under the address /live.json names', async () => {
    const before = await via('/');
    expect(await before.text()).not.toContain('Edge cache check');
    const { version: old } = (await (await via('/live.json')).json()) as { version: string };
    openIncident(site.db, { name: 'Edge cache check', status: 'investigating', body: 'Through the proxy.' }, { now: Date.now() });
    await site.server.checkForChanges();
    // Open pages poll the change document, which a cache keeps for a second at most…
    const { version } = await until(async () => {
      const doc = (await (await via('/live.json')).json()) as { version: string };
      return doc.version !== old && doc;
    });
    // …and fetch the page under an address that names the change: nginx has never seen it, so it asks the origin.
    const named = await via(`/?v=${encodeURIComponent(version)}`);
    expect(named.headers.get('x-cache-status')).toBe('MISS');
    expect(await named.text()).toContain('Edge cache check');
    // The plain address shows it once its cached copy is older than s-maxage.
    const plain = await until(async () => {
      const res = await via('/');
      return (await res.text()).includes('Edge cache check') && res;
    });
    expect(['HIT', 'EXPIRED', 'UPDATING', 'STALE']).toContain(plain.headers.get('x-cache-status'));
    // The origin's word to nginx on how long to keep it stays with nginx.
    expect(plain.headers.get('x-accel-expires')).toBeNull();
    expect(nginx.accessLog().some((line) => / (EXPIRED|UPDATING|STALE) \/$/.test(line))).toBe(true);
  });

  it('keeps every page asking about a version waiting in nginx behind one question to the origin, through a whole round', async () => {
    type Doc = { version: string; round: number };
    const origin = async () => (await (await fetch(site.url + '/live.json')).json()) as Doc;
    // The page names the version it was rendered for, which its first question is about.
    expect(await (await via('/')).text()).toMatch(/<html lang="en" data-live="events" data-live-version="[a-z0-9]+\.\d+">/);
    // From the start of a fresh round, so the pages wait the whole of it: longer than nginx's usual 5-s cache lock.
    const before = await origin();
    const { version, round } = await until(async () => {
      const now = await origin();
      return now.round !== before.round && now;
    });
    let most = 0;
    const sample = setInterval(() => (most = Math.max(most, site.server.live.waiting)), 5);
    const ask = async (path: string) => {
      const asked = Date.now();
      const res = await via(path);
      return { waited: Date.now() - asked, doc: (await res.json()) as Doc };
    };
    const question = `/live.json?since=${version}&round=${round}`;
    // Ten pages, and two spellings of the same question that nginx passes on as the one question.
    const pages = [...Array.from({ length: 10 }, () => question), `/live.json?round=${round}&since=${version}`, `${question}&x=1`].map(ask);
    const answers = await Promise.all(pages);
    // Answered at the round's end, with the next round to ask about; one question reached the origin.
    for (const answer of answers) expect(answer.doc).toEqual({ version, round: round + 1 });
    expect(Math.max(...answers.map((a) => a.waited))).toBeGreaterThan(5_000);
    expect(most).toBe(1);
    const key = (line: string) => line.includes(`since=${version}`) && line.includes(`round=${round}`);
    expect(
      nginx
        .accessLog()
        .filter(key)
        .map((line) => line.split(' ')[1]),
    ).toEqual(['MISS', ...Array(11).fill('HIT')]);
    // The next round's question waits the same way, until a change.
    const next = Array.from({ length: 10 }, () => ask(`/live.json?since=${version}&round=${round + 1}`));
    await until(() => site.server.live.waiting === 1);
    openIncident(site.db, { name: 'Live through the edge', status: 'investigating', body: 'Pushed to the cache.' }, { now: Date.now() });
    await site.server.checkForChanges();
    const changed = await Promise.all(next);
    clearInterval(sample);
    expect(new Set(changed.map((a) => a.doc.version)).size).toBe(1);
    expect(changed[0]!.doc.version).not.toBe(version);
    expect(most).toBe(1);
  });

  it('never keeps a signed-in staff page, nor shows it to anyone else', async () => {
    const staff = await signedInStaff(site, 'admin');
    for (let i = 0; i < 2; i++) {
      const mine = await via('/admin', { cookie: staff.cookie });
      expect(mine.status).toBe(200);
      expect(mine.headers.get('cache-control')).toBe('private, no-store');
      expect(mine.headers.get('x-cache-status')).toBeNull();
      expect(await mine.text()).toContain(staff.email);
    }
    const stranger = await via('/admin');
    expect(stranger.status).toBe(303);
    expect(await stranger.text()).not.toContain(staff.email);
    // Nothing nginx wrote to its cache holds the staff page.
    const kept = filesUnder(nginx.cacheDir);
    expect(kept.length).toBeGreaterThan(0);
    for (const file of kept) expect(readFileSync(file, 'latin1')).not.toContain(staff.email);
    expect(
      nginx
        .accessLog()
        .filter((line) => line.endsWith(' /admin'))
        .every((line) => / - \/admin$/.test(line)),
    ).toBe(true);
  });

  it('answers from the static copy, with the last state, once the origin has stopped', async () => {
    const { incidentId } = openIncident(site.db, { name: 'Copy before the fall', status: 'identified', body: 'Published elsewhere.' }, { now: Date.now() });
    await site.server.checkForChanges();
    // The copy follows the change and is published to the WebDAV remote, where nginx's copy folder is.
    const arrivedPage = join(arrived, 'incidents', incidentId, 'index.html');
    await until(() => {
      try {
        return (
          readFileSync(arrivedPage, 'utf8').includes('Published elsewhere.') &&
          readFileSync(join(arrived, 'ja', 'incidents', incidentId, 'index.html'), 'utf8').includes('Published elsewhere.') &&
          readFileSync(join(arrived, 'index.html'), 'utf8').includes('Copy before the fall')
        );
      } catch {
        return false;
      }
    }, 20_000);
    await until(() => readPublishStatus(site.config)?.ok);
    // nginx holds the front page as it stands.
    await until(async () => (await (await via('/')).text()).includes('Copy before the fall'));

    await site.server.close();
    // A page nginx has never held comes from the copy…
    const page = await via(`/incidents/${incidentId}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('x-shirase-copy')).toBe('static');
    expect(await page.text()).toContain('Published elsewhere.');
    const ja = await via(`/ja/incidents/${incidentId}`);
    expect(ja.status).toBe(200);
    expect(await ja.text()).toContain('<html lang="ja"');
    // …and one it held is served as it was last fetched.
    const front = await via('/');
    expect(front.status).toBe(200);
    // (HIT within s-maxage, STALE after: either way from nginx's cache, not the copy.)
    expect(['HIT', 'STALE']).toContain(front.headers.get('x-cache-status'));
    expect(front.headers.get('x-shirase-copy')).toBeNull();
    expect(await front.text()).toContain('Copy before the fall');
  });
});

describe('publishing the static copy', () => {
  it('retries a remote that refuses, then shows admins that it failed', async () => {
    const port = await freePort();
    const site = await startTestSite({
      seed: true,
      publishRetryMs: 20,
      env: { EXPORT_DIR: join(tmpdir(), `shirase-copy-${port}`), EXPORT_RCLONE_REMOTE: `:webdav,url='http://127.0.0.1:${port}':` },
    });
    try {
      const status = await until(() => readPublishStatus(site.config), 30_000);
      expect(status).toMatchObject({ ok: false, attempts: 4 });
      expect(status.error).toMatch(/connect|refused/i);
      const admin = await signedInStaff(site, 'admin');
      const settings = await (await admin.get('/admin/settings')).text();
      expect(settings).toContain('failed after 4 attempts');
      expect(await (await admin.get('/admin')).text()).toContain('The failover copy of the public site could not be published.');
      expect(await (await admin.get('/ja/admin')).text()).toContain('フェイルオーバー用の写しを公開できませんでした');
      const editor = await signedInStaff(site, 'editor');
      expect(await (await editor.get('/admin')).text()).not.toContain('data-copy-warning');
    } finally {
      await site.close();
      rmSync(join(tmpdir(), `shirase-copy-${port}`), { recursive: true, force: true });
    }
  });
});

import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_FOUND_KEY, PublicRoutes } from '../../src/server/public-routes';
import { ROUTE_MANIFEST_FILE, type RouteManifest } from '../../src/lib/routes/route-manifest';
import { startTestSite, type TestSite } from '../support/test-server';

// The routes of the real build: each page's own declaration, as the serving thread reads it.
const manifest = JSON.parse(readFileSync(resolve('dist', ROUTE_MANIFEST_FILE), 'utf8')) as RouteManifest;
const routes = new PublicRoutes(manifest);
const route = (path: string) => routes.routeFor(new URL(path, 'http://local'));
const API_NOT_FOUND_KEY = '/api/404';

function pageFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? pageFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('the route manifest of the build', () => {
  it('holds every page file, public exactly when the page declares a policy', () => {
    const files = pageFiles('src/pages');
    expect(manifest.routes.map((r) => r.file).sort()).toEqual(files.sort());
    for (const file of files) {
      const entry = manifest.routes.find((r) => r.file === file)!;
      expect(entry.page !== null, file).toBe(/^export const publicPage\b/m.test(readFileSync(file, 'utf8')));
      // Astro's expression answers the file's own paths.
      expect(new RegExp(entry.pattern).test(samplePath(file)), file).toBe(true);
    }
  });

  it('names the pages a static copy holds whatever the data, each language’s where it has languages', () => {
    const fixed = routes.fixedKeys();
    expect(
      fixed
        .filter((f) => f.languages)
        .map((f) => f.key)
        .sort(),
    ).toEqual(['/', '/api', '/commitments', '/embed', '/feed.atom', '/feed.json', '/feed.rss', '/history', '/maintenance.ics', '/postmortems', '/uptime']);
    expect(
      fixed
        .filter((f) => !f.languages)
        .map((f) => f.key)
        .sort(),
    ).toEqual([
      '/api/v2/components.json',
      '/api/v2/incidents.json',
      '/api/v2/incidents/unresolved.json',
      '/api/v2/scheduled-maintenances.json',
      '/api/v2/scheduled-maintenances/active.json',
      '/api/v2/scheduled-maintenances/upcoming.json',
      '/api/v2/status.json',
      '/api/v2/summary.json',
      '/api/v2/uptime.json',
      '/badge.svg',
      '/embed.js',
      '/uptime.csv',
    ]);
  });

  it('starts with the front page, and renders the pages first visitors read', () => {
    expect(routes.frontPageKeys).toEqual(['/']);
    expect([...routes.startupKeys].sort()).toEqual(['/', '/404', '/api/v2/status.json', '/api/v2/summary.json', '/badge.svg', '/feed.rss', '/history']);
    expect(routes.startupKeys[0]).toBe('/');
  });
});

/** A path a page file answers, with its parameters filled in. */
function samplePath(file: string): string {
  const path = `/${file.slice('src/pages/'.length)}`
    .replace(/\.(astro|ts)$/, '')
    .replace(/\/index$/, '')
    .replace(/\[\.\.\.[a-z]+\]/g, 'any/thing')
    .replace(/\[(id|component)\]/g, 'abcdefghijkl')
    .replace(/\[slug\]/g, 'some-slug')
    .replace(/\[page\]/g, '2')
    .replace(/\[format\]/g, 'atom');
  return path || '/';
}

describe('public routes', () => {
  it('let only the embed be framed by other sites', () => {
    expect(route('/embed')).toMatchObject({ key: '/embed', frameable: true, localizable: true });
    expect(route('/ja/embed')).toMatchObject({ key: '/ja/embed', frameable: true, locale: 'ja' });
    for (const path of ['/', '/ja/', '/history', '/api', '/embed.js', '/api/v2/status.json', '/embed/x']) expect(route(path)?.frameable, path).toBeFalsy();
  });

  it('answer paths no page has with the one cached 404', () => {
    for (const path of ['/nope', '/wp-login.php', '/incidents', '/ja/nope', '/feed/../x', '/_image', `/feed/${'a.'.repeat(600)}rss`])
      expect(route(path)?.key, path).toMatch(/^(\/ja)?\/404$/);
    for (const path of ['/api/v2/nope.json', '/api/v3/summary.json', '/api/404']) expect(route(path)?.key, path).toBe(API_NOT_FOUND_KEY);
    expect(route('/ja/api/v3/x')?.key).toBe('/ja/404');
  });

  it('fold query strings that do not change the page', () => {
    expect(route('/?utm_source=mail')?.key).toBe('/');
    expect(route('/history/?utm_source=mail')?.key).toBe('/history');
    expect(route('/history?page=1')?.key).toBe('/history');
    expect(route('/history?page=nonsense')?.key).toBe('/history');
    expect(route('/history/page/x')?.key).toBe('/history');
  });

  it('give each page of the history one key however it is spelled, the path the static copy has a file for', () => {
    expect(route('/history?page=3')).toMatchObject({ key: '/history/page/3', subjects: [{ kind: 'history-page', page: 3 }] });
    expect(route('/history/page/3')?.key).toBe('/history/page/3');
    expect(route('/history/page/3?utm_source=x')?.key).toBe('/history/page/3');
    expect(route('/ja/history?page=3')?.key).toBe('/ja/history/page/3');
    expect(route('/history')?.subjects).toBeUndefined();
  });

  it('name what an id page depends on, so unknown ids are answered without a render', () => {
    expect(route('/incidents/abcdefghijkl')).toMatchObject({ key: '/incidents/abcdefghijkl', subjects: [{ kind: 'incident', id: 'abcdefghijkl' }] });
    expect(route('/history/page/9')?.subjects).toEqual([{ kind: 'history-page', page: 9 }]);
    expect(route('/postmortems/renewal-outage')?.subjects).toEqual([{ kind: 'postmortem', id: 'renewal-outage' }]);
    expect(route('/postmortems/Not_A_Slug')?.key).toBe(NOT_FOUND_KEY);
    expect(route('/badge/abcdefghijkl.svg')?.subjects).toEqual([{ kind: 'component', id: 'abcdefghijkl' }]);
    expect(route('/incidents/abc')?.key).toBe(NOT_FOUND_KEY);
    expect(route('/incidents/..%2f..%2fetc')?.key).toBe(NOT_FOUND_KEY);
  });

  it('give each component and each page of its history one key, and leave searches to the render threads uncached', () => {
    expect(route('/components/abcdefghijkl')).toMatchObject({
      key: '/components/abcdefghijkl',
      timeSensitive: true,
      subjects: [{ kind: 'component', id: 'abcdefghijkl' }],
    });
    expect(route('/ja/components/abcdefghijkl')?.key).toBe('/ja/components/abcdefghijkl');
    expect(route('/components/NOT-AN-ID')?.key).toBe(NOT_FOUND_KEY);
    for (const path of ['/history?component=abcdefghijkl', '/history?utm=1&component=abcdefghijkl&page=1', '/history?component=abcdefghijkl&q=+']) {
      expect(route(path), path).toMatchObject({
        key: '/history?component=abcdefghijkl',
        subjects: [
          { kind: 'live-component', id: 'abcdefghijkl' },
          { kind: 'history-page', componentId: 'abcdefghijkl', page: 1 },
        ],
      });
    }
    expect(route('/history/page/2?component=abcdefghijkl')?.key).toBe('/history?component=abcdefghijkl&page=2');
    expect(route('/history?page=2&component=abcdefghijkl')?.key).toBe('/history?component=abcdefghijkl&page=2');
    expect(route('/history?component=x%27%20or%201')?.key).toBe(NOT_FOUND_KEY);
    expect(route('/history?component=&q=')?.key).toBe('/history');
    for (const path of ['/history?q=outage', '/ja/history?q=outage&page=3', '/history/page/2?q=x', '/history?component=abcdefghijkl&q=api'])
      expect(route(path), path).toBeNull();
  });

  it('render a chosen uptime range for its one reader, in the report page’s languages only', () => {
    expect(route('/uptime')).toMatchObject({ key: '/uptime', timeSensitive: true, localizable: true });
    for (const path of ['/uptime?from=2026-01', '/ja/uptime?component=abcdefghijkl', '/uptime.csv?to=2026-02', '/api/v2/uptime.json?component=x'])
      expect(route(path), path).toBeNull();
    for (const path of ['/ja/uptime.csv?from=2026-01', '/ja/api/v2/uptime.json?from=2026-01']) expect(route(path)?.key, path).toBe('/ja/404');
  });

  it('leave staff screens, forms and the write API to the render threads', () => {
    for (const path of ['/admin', '/admin/audit', '/subscribe', '/subscribe/manage', '/api/v1/incidents', '/api/v1/nope', '/unsubscribe'])
      expect(route(path), path).toBeNull();
  });
});

describe('feeds', () => {
  it('have a variant per language under its prefix, while the unprefixed feed stays in the site’s language', () => {
    expect(route('/feed.rss')).toMatchObject({ key: '/feed.rss', cors: true });
    expect(route('/feed.rss')?.localizable).toBeFalsy();
    expect(route('/ja/feed.rss')).toMatchObject({ key: '/ja/feed.rss', locale: 'ja', cors: true });
    expect(route('/ja/feed/abcdefghijkl.rss')).toMatchObject({
      key: '/ja/feed/abcdefghijkl.rss',
      locale: 'ja',
      subjects: [{ kind: 'component', id: 'abcdefghijkl' }],
    });
    expect(route('/ja/feed/nope.rss')?.key).toBe('/ja/404');
  });

  it('come as Atom and JSON Feed as well, site-wide and per component', () => {
    for (const path of ['/feed.atom', '/feed.json']) expect(route(path)).toMatchObject({ key: path, cors: true, prefixable: true });
    expect(route('/ja/feed.json')).toMatchObject({ key: '/ja/feed.json', locale: 'ja' });
    expect(route('/feed/abcdefghijkl.atom')).toMatchObject({ key: '/feed/abcdefghijkl.atom', subjects: [{ kind: 'component', id: 'abcdefghijkl' }] });
    expect(route('/ja/feed/abcdefghijkl.json')).toMatchObject({
      key: '/ja/feed/abcdefghijkl.json',
      locale: 'ja',
      subjects: [{ kind: 'component', id: 'abcdefghijkl' }],
    });
    expect(route('/feed/abcdefghijkl.yaml')?.key).toBe('/404');
    expect(route('/feed.yaml')?.key).toBe('/404');
  });

  it('include the maintenance calendar and one calendar per window, in each language', () => {
    expect(route('/maintenance.ics')).toMatchObject({ key: '/maintenance.ics', timeSensitive: true, cors: true });
    expect(route('/ja/maintenance.ics')).toMatchObject({ key: '/ja/maintenance.ics', locale: 'ja' });
    expect(route('/incidents/abcdefghijkl.ics')).toMatchObject({ key: '/incidents/abcdefghijkl.ics', subjects: [{ kind: 'incident', id: 'abcdefghijkl' }] });
    expect(route('/ja/incidents/abcdefghijkl.ics')).toMatchObject({ key: '/ja/incidents/abcdefghijkl.ics', locale: 'ja' });
    expect(route('/incidents/..%2Fx.ics')?.key).toBe('/404');
  });

  it('answer Statuspage’s history feed addresses with the same cached bodies', () => {
    expect(route('/history.atom')).toMatchObject({ key: '/feed.atom', cors: true });
    expect(route('/history.rss')).toMatchObject({ key: '/feed.rss', cors: true });
    expect(route('/ja/history.atom')).toMatchObject({ key: '/ja/feed.atom', locale: 'ja' });
    expect(route('/history.json')?.key).toBe('/404');
  });
});

describe('a page that declares a policy', () => {
  // The build as it would be had src/pages/api/v1/openapi.json.ts exported
  // `publicPage = { frameable: true, timeSensitive: true }`: only the manifest
  // the build writes differs, no file under src/server.
  let dir: string;
  let site: TestSite;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shirase-routes-'));
    for (const part of ['client', 'server']) symlinkSync(resolve('dist', part), join(dir, part));
    const declared: RouteManifest = {
      routes: manifest.routes.map((r) => (r.route === '/api/v1/openapi.json' ? { ...r, page: { frameable: true, timeSensitive: true } } : r)),
    };
    writeFileSync(join(dir, ROUTE_MANIFEST_FILE), JSON.stringify(declared));
    site = await startTestSite({ seed: false, distDir: dir });
  });
  afterAll(async () => {
    await site?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is served from the cache with that policy', async () => {
    expect(route('/api/v1/openapi.json')).toBeNull();
    expect(site.server.cache.peek('/api/v1/openapi.json')).toBeUndefined();
    const first = await fetch(`${site.url}/api/v1/openapi.json?utm_source=x`);
    expect(first.status).toBe(200);
    // Headers only the serving thread's policy gives: the page cannot set them for itself.
    expect(first.headers.get('content-security-policy')).toContain('frame-ancestors *');
    expect(first.headers.get('x-frame-options')).toBeNull();
    expect(first.headers.get('cache-control')).toMatch(/^public/);
    await first.arrayBuffer();
    const held = site.server.cache.peek('/api/v1/openapi.json');
    expect(held).toBeDefined();
    const again = await fetch(`${site.url}/api/v1/openapi.json`, { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect(site.server.cache.peek('/api/v1/openapi.json')).toBe(held);
  });
});

import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_NOT_FOUND_KEY, NOT_FOUND_KEY, isRenderedPath, publicRouteFor } from '../../src/server/public-routes';

function pageFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? pageFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/** A path a page file answers, with its parameters filled in. */
function samplePath(file: string): string {
  const route = `/${relative('src/pages', file)}`
    .replace(/\.(astro|ts)$/, '')
    .replace(/\/index$/, '')
    .replace(/\[\.\.\.[a-z]+\]/g, 'any/thing')
    .replace(/\[(id|component)\]/g, 'abcdefghijkl')
    .replace(/\[slug\]/g, 'some-slug')
    .replace(/\[page\]/g, '2')
    .replace(/\[format\]/g, 'atom');
  return route || '/';
}

const route = (path: string) => publicRouteFor(new URL(path, 'http://local'));

describe('public routes', () => {
  it('cover every page file, or leave it to the render threads by name', () => {
    for (const file of pageFiles('src/pages')) {
      const path = samplePath(file);
      // The two 404 pages themselves.
      if (path === '/404' || path === '/api/any/thing') continue;
      const known = route(path);
      const answered = (known !== null && known.key !== NOT_FOUND_KEY && known.key !== API_NOT_FOUND_KEY) || isRenderedPath(path);
      expect(answered, `${file} (${path}) is neither a public route nor under RENDERED_PREFIXES`).toBe(true);
    }
  });

  it('let only the embed be framed by other sites', () => {
    expect(route('/embed')).toMatchObject({ key: '/embed', frameable: true, localizable: true });
    expect(route('/ja/embed')).toMatchObject({ key: '/ja/embed', frameable: true, locale: 'ja' });
    for (const path of ['/', '/ja/', '/history', '/api', '/embed.js', '/api/v2/status.json', '/embed/x']) expect(route(path)?.frameable, path).toBeFalsy();
  });

  it('answer paths no page has with the one cached 404', () => {
    for (const path of ['/nope', '/wp-login.php', '/incidents', '/ja/nope', '/feed/../x']) expect(route(path)?.key, path).toMatch(/^(\/ja)?\/404$/);
    for (const path of ['/api/v2/nope.json', '/api/v3/summary.json']) expect(route(path)?.key, path).toBe(API_NOT_FOUND_KEY);
  });

  it('name what an id page depends on, so unknown ids are answered without a render', () => {
    expect(route('/incidents/abcdefghijkl')?.subject).toEqual({ kind: 'incident', id: 'abcdefghijkl' });
    expect(route('/history/page/9')?.subject).toEqual({ kind: 'history-page', page: 9 });
    expect(route('/postmortems/renewal-outage')?.subject).toEqual({ kind: 'postmortem', id: 'renewal-outage' });
    expect(route('/badge/abcdefghijkl.svg')?.subject).toEqual({ kind: 'component', id: 'abcdefghijkl' });
  });

  it('give each component and each page of its history one key, and leave searches to the render threads uncached', () => {
    expect(route('/components/abcdefghijkl')).toMatchObject({ key: '/components/abcdefghijkl', timeSensitive: true, subject: { kind: 'component', id: 'abcdefghijkl' } });
    expect(route('/ja/components/abcdefghijkl')?.key).toBe('/ja/components/abcdefghijkl');
    expect(route('/components/NOT-AN-ID')?.key).toBe(NOT_FOUND_KEY);
    for (const path of ['/history?component=abcdefghijkl', '/history?utm=1&component=abcdefghijkl&page=1', '/history?component=abcdefghijkl&q=+']) {
      expect(route(path), path).toMatchObject({ key: '/history?component=abcdefghijkl', subject: { kind: 'component-history', id: 'abcdefghijkl', page: 1 } });
    }
    expect(route('/history/page/2?component=abcdefghijkl')?.key).toBe('/history?component=abcdefghijkl&page=2');
    expect(route('/history?component=x%27%20or%201')?.key).toBe(NOT_FOUND_KEY);
    expect(route('/history?component=&q=')?.key).toBe('/history');
    for (const path of ['/history?q=outage', '/ja/history?q=outage&page=3', '/history/page/2?q=x', '/history?component=abcdefghijkl&q=api']) expect(route(path), path).toBeNull();
  });

  it('leave staff screens, forms and the write API to the render threads', () => {
    for (const path of ['/admin', '/admin/audit', '/subscribe', '/subscribe/manage', '/api/v1/incidents']) expect(route(path), path).toBeNull();
  });
});

describe('feeds', () => {
  it('have a variant per language under its prefix, while the unprefixed feed stays in the site’s language', () => {
    expect(route('/feed.rss')).toMatchObject({ key: '/feed.rss', cors: true });
    expect(route('/feed.rss')?.localizable).toBeFalsy();
    expect(route('/ja/feed.rss')).toMatchObject({ key: '/ja/feed.rss', locale: 'ja', cors: true });
    expect(route('/ja/feed/abcdefghijkl.rss')).toMatchObject({ key: '/ja/feed/abcdefghijkl.rss', locale: 'ja', subject: { kind: 'component', id: 'abcdefghijkl' } });
    expect(route('/ja/feed/nope.rss')?.key).toBe('/ja/404');
  });

  it('come as Atom and JSON Feed as well, site-wide and per component', () => {
    for (const path of ['/feed.atom', '/feed.json']) expect(route(path)).toMatchObject({ key: path, cors: true, prefixable: true });
    expect(route('/ja/feed.json')).toMatchObject({ key: '/ja/feed.json', locale: 'ja' });
    expect(route('/feed/abcdefghijkl.atom')).toMatchObject({ key: '/feed/abcdefghijkl.atom', subject: { kind: 'component', id: 'abcdefghijkl' } });
    expect(route('/ja/feed/abcdefghijkl.json')).toMatchObject({ key: '/ja/feed/abcdefghijkl.json', locale: 'ja', subject: { kind: 'component', id: 'abcdefghijkl' } });
    expect(route('/feed/abcdefghijkl.yaml')?.key).toBe('/404');
    expect(route('/feed.yaml')?.key).toBe('/404');
  });

  it('include the maintenance calendar and one calendar per window, in each language', () => {
    expect(route('/maintenance.ics')).toMatchObject({ key: '/maintenance.ics', timeSensitive: true, cors: true });
    expect(route('/ja/maintenance.ics')).toMatchObject({ key: '/ja/maintenance.ics', locale: 'ja' });
    expect(route('/incidents/abcdefghijkl.ics')).toMatchObject({ key: '/incidents/abcdefghijkl.ics', subject: { kind: 'incident', id: 'abcdefghijkl' } });
    expect(route('/ja/incidents/abcdefghijkl.ics')).toMatchObject({ key: '/ja/incidents/abcdefghijkl.ics', locale: 'ja' });
    expect(route('/incidents/..%2Fx.ics')?.key).toBe('/404');
  });

  it('answer Statuspage’s history feed addresses with the same cached bodies', () => {
    expect(route('/history.atom')).toMatchObject({ key: '/feed.atom', cors: true });
    expect(route('/history.rss')).toMatchObject({ key: '/feed.rss', cors: true });
    expect(route('/ja/history.atom')).toMatchObject({ key: '/ja/feed.atom', locale: 'ja' });
  });
});

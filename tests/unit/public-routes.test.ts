import { describe, expect, it } from 'vitest';
import { PublicRoutes } from '../../src/server/public-routes';
import { buildRouteManifest, checkPublicPage } from '../../src/lib/routes/route-manifest';

// Routes as Astro resolves them (see the build's dist/public-routes.json), with the expressions it generates.
const astroRoutes = [
  { route: '/', pattern: /^\/$/, params: [], entrypoint: 'src/pages/index.astro' },
  { route: '/404', pattern: /^\/404\/?$/, params: [], entrypoint: 'src/pages/404.astro' },
  {
    route: '/notices/[id].[format]',
    pattern: /^\/notices\/([^/]+?)\.([^/]+?)\/?$/,
    params: ['id', 'format'],
    entrypoint: 'src/pages/notices/[id].[format].ts',
  },
  { route: '/notices/[id]', pattern: /^\/notices\/([^/]+?)\/?$/, params: ['id'], entrypoint: 'src/pages/notices/[id].astro' },
  { route: '/staff/[...rest]', pattern: /^\/staff(?:\/(.*?))?\/?$/, params: ['...rest'], entrypoint: 'src/pages/staff/[...rest].astro' },
  { route: '/loop', pattern: /^\/loop\/?$/, params: [], entrypoint: 'src/pages/loop.ts' },
  { route: '/pool', pattern: /^\/pool\/?$/, params: [], entrypoint: 'src/pages/pool.ts' },
];
const declarations: Record<string, unknown> = {
  'src/pages/index.astro': { localizable: true, frontPage: true, startup: true },
  'src/pages/404.astro': { localizable: true, startup: true },
  // A page added under src/pages: nothing under src/server names it.
  'src/pages/notices/[id].astro': { localizable: true, timeSensitive: true, params: { id: 'incident', view: ['short', 'long'] }, personal: ['search'] },
  'src/pages/notices/[id].[format].ts': {
    cors: true,
    prefixable: true,
    params: { id: 'incident', format: ['txt'] },
    startup: { id: 'abcdefghijkl', format: 'txt' },
  },
  'src/pages/loop.ts': { sameAs: '/pool' },
  'src/pages/pool.ts': { sameAs: '/loop' },
};
const routes = new PublicRoutes(buildRouteManifest(astroRoutes, (file) => declarations[file]));
const route = (path: string) => routes.routeFor(new URL(path, 'http://local'));

describe('a page added under src/pages with a declared policy', () => {
  it('is public with that policy, its parameters checked and its key canonical', () => {
    expect(route('/notices/abcdefghijkl?utm=1&view=long&search=')).toEqual({
      key: '/notices/abcdefghijkl?view=long',
      timeSensitive: true,
      localizable: true,
      subjects: [{ kind: 'incident', id: 'abcdefghijkl' }],
    });
    expect(route('/ja/notices/abcdefghijkl/')).toMatchObject({ key: '/ja/notices/abcdefghijkl', locale: 'ja' });
    expect(route('/notices/abcdefghijkl.txt')).toMatchObject({ key: '/notices/abcdefghijkl.txt', cors: true, prefixable: true });
    expect(route('/ja/notices/abcdefghijkl.txt')).toMatchObject({ key: '/ja/notices/abcdefghijkl.txt', locale: 'ja' });
  });

  it('answers made-up values with the cached 404, and a personal question with a render of its own', () => {
    for (const path of ['/notices/abc', '/notices/abcdefghijkl?view=wide', '/notices/abcdefghijkl.pdf', '/nothing'])
      expect(route(path)?.key, path).toBe('/404');
    expect(route('/notices/abcdefghijkl?search=outage')).toBeNull();
  });

  it('is rendered at start or after each change when it says so', () => {
    expect(routes.frontPageKeys).toEqual(['/']);
    expect(routes.startupKeys).toEqual(['/', '/404', '/notices/abcdefghijkl.txt']);
  });

  it('leaves pages without a declaration to the render threads', () => {
    expect(route('/staff')).toBeNull();
    expect(route('/staff/any/thing')).toBeNull();
  });

  it('follows one other address, never a loop', () => {
    expect(route('/loop')?.key).toBe('/pool');
    expect(route('/pool')?.key).toBe('/loop');
  });

  it('answers a long made-up path with the 404 without trying the routes\u2019 expressions on it', () => {
    // Two lazy parameters in one segment backtrack quadratically when the path cannot match.
    const path = `/notices/${'a.'.repeat(8_000)}/x`;
    const started = performance.now();
    expect(route(path)?.key).toBe('/404');
    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe('a declaration', () => {
  it('with a misspelt field or an unknown kind of subject fails the build', () => {
    expect(() => checkPublicPage('src/pages/x.astro', { localisable: true })).toThrow('src/pages/x.astro: publicPage has no field "localisable".');
    expect(() => checkPublicPage('src/pages/x.astro', { params: { id: 'incidnet' } })).toThrow('publicPage.params.id names no kind of subject');
    expect(() => checkPublicPage('src/pages/x.astro', 'yes')).toThrow('publicPage must be an object');
  });

  it('is absent for pages rendered per request', () => {
    const manifest = buildRouteManifest(astroRoutes, (file) => declarations[file]);
    expect(manifest.routes.find((r) => r.route === '/staff/[...rest]')).toEqual({
      route: '/staff/[...rest]',
      file: 'src/pages/staff/[...rest].astro',
      pattern: String.raw`^\/staff(?:\/(.*?))?\/?$`,
      params: ['...rest'],
      page: null,
    });
  });
});

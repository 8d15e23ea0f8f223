import { isPublicId } from '../lib/ids';
import { parsePageParam } from '../lib/views/history-page';

export const NOT_FOUND_KEY = '/404';
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Routes whose representation changes with the clock as well as with data. */
const TIME_SENSITIVE = new Set(['/', '/api/v2/uptime.json']);

/** Routes rendered again straight after every change, because nearly every visitor asks for them. */
export const HOT_KEYS = ['/', '/history', NOT_FOUND_KEY, '/api/v2/summary.json', '/api/v2/status.json', '/badge.svg', '/feed.rss'] as const;

export interface PublicRoute {
  /** The cache key, and the path the renderer asks Astro for. */
  key: string;
  timeSensitive: boolean;
  /** Readable from any origin: the JSON API and badges are embedded elsewhere. */
  cors?: boolean;
}

export const API_PATHS = [
  '/api/v2/summary.json',
  '/api/v2/status.json',
  '/api/v2/components.json',
  '/api/v2/incidents.json',
  '/api/v2/incidents/unresolved.json',
  '/api/v2/scheduled-maintenances.json',
  '/api/v2/scheduled-maintenances/upcoming.json',
  '/api/v2/scheduled-maintenances/active.json',
  '/api/v2/uptime.json',
] as const;
const API_PATH_SET = new Set<string>(API_PATHS);

/**
 * Maps a public GET to the one canonical representation it shows, or null when
 * the request is not for a public page. Query strings that do not change the
 * page are dropped, so `/?utm=x` and `/` share one cached body.
 */
export function publicRouteFor(url: URL): PublicRoute | null {
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  if (path === '/') return { key: '/', timeSensitive: true };
  if (path === '/api' || path === '/postmortems') return { key: path, timeSensitive: false };
  if (path === '/feed.rss') return { key: path, timeSensitive: false, cors: true };
  const feed = /^\/feed\/([^/]+)\.rss$/.exec(path);
  if (feed) return isPublicId(feed[1]!) ? { key: path, timeSensitive: false, cors: true } : { key: NOT_FOUND_KEY, timeSensitive: false };
  const postmortem = /^\/postmortems\/([^/]+)$/.exec(path);
  if (postmortem) return SLUG.test(postmortem[1]!) ? { key: path, timeSensitive: false } : { key: NOT_FOUND_KEY, timeSensitive: false };
  const historyPage = /^\/history\/page\/([^/]+)$/.exec(path);
  if (path === '/history' || historyPage) {
    const page = parsePageParam(historyPage ? historyPage[1]! : url.searchParams.get('page'));
    return { key: page === 1 ? '/history' : `/history/page/${page}`, timeSensitive: false };
  }
  if (API_PATH_SET.has(path) || path === '/badge.svg') return { key: path, timeSensitive: TIME_SENSITIVE.has(path), cors: true };
  const badge = /^\/badge\/([^/]+)\.svg$/.exec(path);
  if (badge) return isPublicId(badge[1]!) ? { key: path, timeSensitive: false, cors: true } : { key: NOT_FOUND_KEY, timeSensitive: false };
  const incident = /^\/incidents\/([^/]+)$/.exec(path);
  if (incident) {
    return isPublicId(incident[1]!) ? { key: path, timeSensitive: TIME_SENSITIVE.has(path) } : { key: NOT_FOUND_KEY, timeSensitive: false };
  }
  return null;
}

import { isPublicId } from '../lib/ids';
import { historyHref, isValidHistoryFilter, parseHistoryFilter, parsePageParam } from '../lib/views/history-page';
import { splitLocalePath } from '../lib/i18n/locale-path';
import type { Locale } from '../lib/i18n/messages';
import type { Subject } from './public-index';
import { trimTrailingSlashes } from '../lib/text/trim-trailing';

export const NOT_FOUND_KEY = '/404';
/** Unknown API paths share one JSON 404 (rendered by src/pages/api/[...rest].ts). */
export const API_NOT_FOUND_KEY = '/api/404';

/**
 * Paths answered by the render threads on every request: staff screens, the
 * write API, subscription forms. Every other path is a public page or the
 * cached 404, so made-up paths never cost a render. A new page folder that is
 * neither must be named here (tests/unit/public-routes.test.ts checks).
 */
const RENDERED_PREFIXES = ['/admin', '/api/v1', '/subscribe', '/unsubscribe'] as const;

export function isRenderedPath(path: string): boolean {
  return RENDERED_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}
// As long as the editor allows, and no longer: a made-up slug is never worth remembering.
const FEED_PATH = /^\/feed\.(?:rss|atom|json)$/;
const SLUG = /^(?=.{1,80}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Routes whose representation changes with the clock as well as with data. */
const TIME_SENSITIVE = new Set(['/', '/api/v2/uptime.json', '/uptime.csv']);
/** The uptime report's addresses: with a range or a component chosen, they are rendered for their one reader. */
const UPTIME_PATHS = new Set(['/uptime', '/uptime.csv', '/api/v2/uptime.json']);
const UPTIME_PARAMS = ['from', 'to', 'component'];

/** Rendered as the server starts, so the first visitors find them ready. */
export const STARTUP_KEYS = ['/', '/history', NOT_FOUND_KEY, '/api/v2/summary.json', '/api/v2/status.json', '/badge.svg', '/feed.rss'] as const;
/**
 * Rendered again straight after every change. Other pages follow when
 * readers are asking for them (see PublicCache), so a change costs renders
 * only for what is being read.
 */
export const FRONT_PAGE_KEYS = ['/'] as const;

export interface PublicRoute {
  /** The cache key, and the path the renderer asks Astro for. */
  key: string;
  timeSensitive: boolean;
  /** A page in the reader's language: `/ja/...` explicitly, or chosen by Accept-Language without a prefix. */
  localizable?: boolean;
  /** Has a variant per language under `/ja/...`, but the unprefixed path is always the site's language (feeds). */
  prefixable?: boolean;
  /** The language the URL asked for, if it had a prefix. */
  locale?: Locale;
  /** Readable from any origin: the JSON API and badges are embedded elsewhere. */
  cors?: boolean;
  /** May be shown in a frame on another site (the embed); every other page refuses framing. */
  frameable?: boolean;
  /** The page exists only if this does; otherwise the 404 is served (see PublicIndex). */
  subject?: Subject;
}

const notFound = (): PublicRoute => ({ key: NOT_FOUND_KEY, timeSensitive: false, localizable: true });

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
  const { locale, rest } = splitLocalePath(url.pathname);
  // A search is rendered for its one reader and never kept: every string a
  // stranger can type would otherwise be a page in memory. (The render
  // threads take a bounded number of requests per address; see dispatch.ts.)
  if (isHistoryPath(rest) && parseHistoryFilter(url.searchParams).query !== undefined) return null;
  // Only the report page has languages; /ja/uptime.csv and /ja/api/… stay the 404 whatever the query.
  const uptimePath = trimTrailingSlashes(rest);
  if (UPTIME_PATHS.has(uptimePath) && UPTIME_PARAMS.some((p) => url.searchParams.has(p)) && (!locale || uptimePath === '/uptime')) return null;
  const route = routeForPath(rest, url.searchParams) ?? (isRenderedPath(rest) ? null : notFound());
  if (!route) return null;
  if (!locale) return route;
  // Only pages have languages; /ja/api/… and the like do not exist.
  if (!route.localizable && !route.prefixable) return { key: localizeKey(locale, NOT_FOUND_KEY), timeSensitive: false, localizable: true, locale };
  return { ...route, key: localizeKey(locale, route.key), locale };
}

/** The cache key of a page in a given language. */
export function localizeKey(locale: Locale, key: string): string {
  return key === '/' ? `/${locale}/` : `/${locale}${key}`;
}

function isHistoryPath(path: string): boolean {
  return /^\/history(?:\/page\/[^/]+)?\/?$/.test(path);
}

function routeForPath(rawPath: string, searchParams: URLSearchParams): PublicRoute | null {
  const page = (route: PublicRoute): PublicRoute => ({ ...route, localizable: true });
  const path = rawPath.length > 1 ? trimTrailingSlashes(rawPath) : rawPath;
  if (path === '/') return page({ key: '/', timeSensitive: true });
  if (path === '/api' || path === '/postmortems') return page({ key: path, timeSensitive: false });
  // This month so far changes with the clock.
  if (path === '/uptime') return page({ key: path, timeSensitive: true });
  if (path === '/uptime.csv') return { key: path, timeSensitive: true, cors: true };
  if (path === '/embed') return page({ key: path, timeSensitive: false, frameable: true });
  // The embed script carries its texts in both languages and picks one in the host page.
  if (path === '/embed.js') return { key: path, timeSensitive: false, cors: true };
  // Feed readers send no Accept-Language worth following: each language has its own feed address.
  if (FEED_PATH.test(path)) return { key: path, timeSensitive: false, cors: true, prefixable: true };
  // Statuspage's feed addresses, where tools built for it look: the same bodies as /feed.atom and /feed.rss.
  if (path === '/history.atom' || path === '/history.rss') return { key: path.replace('/history', '/feed'), timeSensitive: false, cors: true, prefixable: true };
  // Calendars subscribe to one address and never negotiate a language either; the window list moves with the clock.
  if (path === '/maintenance.ics') return { key: path, timeSensitive: true, cors: true, prefixable: true };
  const calendar = /^\/incidents\/([^/]+)\.ics$/.exec(path);
  if (calendar) return isPublicId(calendar[1]!) ? { key: path, timeSensitive: false, cors: true, prefixable: true, subject: { kind: 'incident', id: calendar[1]! } } : notFound();
  const feed = /^\/feed\/([^/]+)\.(?:rss|atom|json)$/.exec(path);
  if (feed) return isPublicId(feed[1]!) ? { key: path, timeSensitive: false, cors: true, prefixable: true, subject: { kind: 'component', id: feed[1]! } } : notFound();
  const postmortem = /^\/postmortems\/([^/]+)$/.exec(path);
  if (postmortem) return SLUG.test(postmortem[1]!) ? page({ key: path, timeSensitive: false, subject: { kind: 'postmortem', id: postmortem[1]! } }) : notFound();
  const historyPage = /^\/history\/page\/([^/]+)$/.exec(path);
  if (path === '/history' || historyPage) {
    const n = parsePageParam(historyPage ? historyPage[1]! : searchParams.get('page'));
    const filter = parseHistoryFilter(searchParams);
    if (filter.componentId !== undefined) {
      // One key per component and page, spelled one way; an id that names nothing is the 404.
      if (!isValidHistoryFilter(filter)) return notFound();
      return page({ key: historyHref({ componentId: filter.componentId }, n), timeSensitive: false, subject: { kind: 'component-history', id: filter.componentId, page: n } });
    }
    return page(n === 1 ? { key: '/history', timeSensitive: false } : { key: `/history/page/${n}`, timeSensitive: false, subject: { kind: 'history-page', page: n } });
  }
  const component = /^\/components\/([^/]+)$/.exec(path);
  if (component) return isPublicId(component[1]!) ? page({ key: path, timeSensitive: true, subject: { kind: 'component', id: component[1]! } }) : notFound();
  if (API_PATH_SET.has(path) || path === '/badge.svg') return { key: path, timeSensitive: TIME_SENSITIVE.has(path), cors: true };
  if (path.startsWith('/api/') && !isRenderedPath(path)) return { key: API_NOT_FOUND_KEY, timeSensitive: false, cors: true };
  const badge = /^\/badge\/([^/]+)\.svg$/.exec(path);
  if (badge) return isPublicId(badge[1]!) ? { key: path, timeSensitive: false, cors: true, subject: { kind: 'component', id: badge[1]! } } : notFound();
  const incident = /^\/incidents\/([^/]+)$/.exec(path);
  if (incident) return isPublicId(incident[1]!) ? page({ key: path, timeSensitive: false, subject: { kind: 'incident', id: incident[1]! } }) : notFound();
  return null;
}

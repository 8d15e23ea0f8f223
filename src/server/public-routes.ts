import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPublicId } from '../lib/ids';
import { parsePageParam } from '../lib/views/history-page';
import { splitLocalePath } from '../lib/i18n/locale-path';
import type { Locale } from '../lib/i18n/messages';
import type { ParamKind, PublicPage } from '../lib/routes/public-page';
import { ROUTE_MANIFEST_FILE, type ManifestRoute, type RouteManifest } from '../lib/routes/route-manifest';
import type { Subject } from './public-index';
import { trimTrailingSlashes } from '../lib/text/trim-trailing';

export const NOT_FOUND_KEY = '/404';

// As long as the editor allows, and no longer: a made-up slug is never worth remembering.
const SLUG = /^(?=.{1,80}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * No page of the site has a longer path (ids are 12 characters, slugs 80;
 * tokens travel in the query). Astro's route expressions are anchored and
 * lazy; one with two parameters in a segment (`/feed/[component].[format]`)
 * takes time quadratic in the segment's length when it fails (0.5 ms at
 * 1,000 characters), so longer paths are never matched: they get the 404.
 */
const MAX_PATH_CHARS = 256;

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
  /** The page exists only if all of these do; otherwise the 404 is served (see PublicIndex). */
  subjects?: Subject[];
}

/** The page's key: with its language prefix when it has one. */
export function localizeKey(locale: Locale, key: string): string {
  return key === '/' ? `/${locale}/` : `/${locale}${key}`;
}

interface CompiledRoute extends ManifestRoute {
  regex: RegExp;
}

/** What a path and query show: a cached page, the 404, a page for one reader, or a page rendered per request. */
type Resolved = { page: PublicPage; key: string; subjects: Subject[] } | 'not-found' | { personal: PublicPage } | null;

/** `/feed.[format]` with `{ format: 'rss' }` is `/feed.rss`. */
function fillRoute(route: string, values: Readonly<Record<string, string>>): string {
  return route.replace(/\[(?:\.\.\.)?(\w+)\]/g, (_, name: string) => values[name] ?? values[`...${name}`] ?? '');
}

const isGiven = (value: string | null): value is string => value !== null && value.trim() !== '';

/**
 * The public routes of a build, read from the manifest the build writes
 * (src/integrations/route-manifest.ts): maps a public GET to the one
 * canonical representation it shows, with the policy its page declares
 * (src/lib/routes/public-page.ts). Pages that declare none are rendered for
 * each request; paths no page answers get the one cached 404.
 */
export class PublicRoutes {
  private readonly routes: CompiledRoute[];
  /** Rendered as the server starts, so the first visitors find them ready. */
  readonly startupKeys: string[];
  /**
   * Rendered again straight after every change. Other pages follow when
   * readers are asking for them (see PublicCache), so a change costs renders
   * only for what is being read.
   */
  readonly frontPageKeys: string[];

  static read(distDir: string): PublicRoutes {
    const file = join(distDir, ROUTE_MANIFEST_FILE);
    if (!existsSync(file)) throw new Error(`${file} is missing: the build writes it (npm run build).`);
    return new PublicRoutes(JSON.parse(readFileSync(file, 'utf8')) as RouteManifest);
  }

  constructor(manifest: RouteManifest) {
    // Astro's own expressions: generated from the page files, anchored, and matched only against short paths (see MAX_PATH_CHARS).
    this.routes = manifest.routes.map((route) => ({ ...route, regex: new RegExp(route.pattern) }));
    const keyOf = (route: ManifestRoute, startup: PublicPage['startup']) =>
      fillRoute(route.route, startup === true || startup === undefined ? {} : startup) || '/';
    const front = this.routes.filter((r) => r.page?.frontPage).map((r) => keyOf(r, r.page!.startup));
    this.frontPageKeys = front;
    this.startupKeys = [...new Set([...front, ...this.routes.filter((r) => r.page?.startup).map((r) => keyOf(r, r.page!.startup))])];
  }

  /**
   * The public pages whose addresses name nothing in the data (no id, slug
   * or page number), each word parameter filled in with every word it
   * takes; `languages` when the page has a variant per language. The 404
   * and addresses that show another page's body are left out.
   */
  fixedKeys(): { key: string; languages: boolean }[] {
    return this.routes.flatMap((route) => {
      const page = route.page;
      if (!page || page.sameAs !== undefined || route.route === NOT_FOUND_KEY) return [];
      let fillings: Record<string, string>[] = [{}];
      for (const name of route.params) {
        const kind = page.params?.[name];
        if (!Array.isArray(kind)) return [];
        fillings = fillings.flatMap((filled) => (kind as readonly string[]).map((word) => ({ ...filled, [name]: word })));
      }
      return fillings.map((filled) => ({ key: fillRoute(route.route, filled) || '/', languages: Boolean(page.localizable || page.prefixable) }));
    });
  }

  /**
   * The cached representation a public GET shows, or null when the request
   * is for a page rendered per request. Query strings that do not change the
   * page are dropped, so `/?utm=x` and `/` share one cached body.
   */
  routeFor(url: URL): PublicRoute | null {
    const { locale, rest } = splitLocalePath(url.pathname);
    const resolved = this.resolve(rest.length > 1 ? trimTrailingSlashes(rest) : rest, url.searchParams, true);
    // Only pages have languages; /ja/api/… and the like do not exist, whatever the query.
    const notFound = (): PublicRoute => ({
      key: locale ? localizeKey(locale, NOT_FOUND_KEY) : NOT_FOUND_KEY,
      timeSensitive: false,
      localizable: true,
      ...(locale ? { locale } : {}),
    });
    if (resolved === null) return null;
    if (resolved === 'not-found') return notFound();
    if ('personal' in resolved) return locale && !resolved.personal.localizable && !resolved.personal.prefixable ? notFound() : null;
    const { page, key, subjects } = resolved;
    if (locale && !page.localizable && !page.prefixable) return notFound();
    const route: PublicRoute = { key: locale ? localizeKey(locale, key) : key, timeSensitive: page.timeSensitive ?? false };
    if (page.localizable) route.localizable = true;
    if (page.prefixable) route.prefixable = true;
    if (locale) route.locale = locale;
    if (page.cors) route.cors = true;
    if (page.frameable) route.frameable = true;
    if (subjects.length > 0) route.subjects = subjects;
    return route;
  }

  private match(path: string): { route: CompiledRoute; values: Record<string, string> } | null {
    if (path.length > MAX_PATH_CHARS) return null;
    for (const route of this.routes) {
      const found = route.regex.exec(path);
      if (!found) continue;
      const values: Record<string, string> = {};
      route.params.forEach((name, i) => {
        const value = found[i + 1];
        if (value !== undefined) values[name.replace(/^\.\.\./, '')] = value;
      });
      return { route, values };
    }
    return null;
  }

  private resolve(path: string, query: URLSearchParams, followSameAs: boolean): Resolved {
    const found = this.match(path);
    if (!found) return 'not-found';
    const { route, values } = found;
    const page = route.page;
    if (!page) return null;
    if (page.personal?.some((name) => isGiven(query.get(name)))) return { personal: page };
    const own = this.own(page, path, query, route, values);
    if (own === 'not-found' || page.sameAs === undefined || !followSameAs) return own;
    const target = new URL(fillRoute(page.sameAs, values), 'http://local');
    for (const [name, value] of query) if (!target.searchParams.has(name)) target.searchParams.append(name, value);
    return target.pathname === path && target.search === '' ? own : this.resolve(target.pathname, target.searchParams, false);
  }

  /** The key and subjects of a page's own address: its path, and the query parameters it names. */
  private own(page: PublicPage, path: string, query: URLSearchParams, route: ManifestRoute, values: Record<string, string>): Resolved {
    const keyQuery = new URLSearchParams();
    const subjects: Subject[] = [];
    const named: Record<string, string> = {};
    let historyPage: number | undefined;
    for (const [name, kind] of Object.entries(page.params ?? {})) {
      const inPath = route.params.includes(name) || route.params.includes(`...${name}`);
      const raw = inPath ? (values[name] ?? '') : (query.get(name)?.trim() ?? '');
      if (kind === 'history-page') {
        historyPage = parsePageParam(raw);
        if (!inPath && historyPage > 1) keyQuery.set(name, String(historyPage));
        continue;
      }
      if (!inPath && raw === '') continue;
      const subject = subjectFor(kind, raw);
      if (subject === 'not-found') return subject;
      if (subject) subjects.push(subject);
      named[name] = raw;
      if (!inPath) keyQuery.set(name, raw);
    }
    if (historyPage !== undefined && (historyPage > 1 || named.component !== undefined)) {
      subjects.push({ kind: 'history-page', page: historyPage, ...(named.component !== undefined ? { componentId: named.component } : {}) });
    }
    const search = keyQuery.toString();
    const [only, ...others] = keyQuery.keys();
    const spelling = only !== undefined && others.length === 0 ? page.spelledAs?.[only] : undefined;
    if (spelling !== undefined) return { page, key: fillRoute(spelling, { [only!]: keyQuery.get(only!)! }), subjects };
    return { page, key: search ? `${path}?${search}` : path, subjects };
  }
}

/** What a parameter names, the 404 when it cannot name anything, or nothing to look up for a word from a list. */
function subjectFor(kind: Exclude<ParamKind, 'history-page'>, value: string): Subject | 'not-found' | undefined {
  if (typeof kind !== 'string') return kind.includes(value) ? undefined : 'not-found';
  if (kind === 'postmortem') return SLUG.test(value) ? { kind, id: value } : 'not-found';
  return isPublicId(value) ? { kind, id: value } : 'not-found';
}

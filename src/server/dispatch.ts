import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../../db/open';
import type { Config } from '../lib/config';
import type { BrandFiles } from './brand-files';
import { answerHealth, type HealthDeps } from './health';
import { answerMetrics, type Metrics } from './metrics';
import { negotiateLocale, splitLocalePath } from '../lib/i18n/locale-path';
import { addressKey } from '../lib/auth/address-key';
import type { ClientAddresses } from './client-address';
import { oneClickUnsubscribe } from './one-click-unsubscribe';
import type { PageSite, PageSites } from './page-sites';
import { NOT_FOUND_KEY, localizeKey, type PublicRoute, type PublicRoutes } from './public-routes';
import type { RenderPool } from './render-pool';
import type { RenderRequest } from './render-request';
import { readRequestBody } from './request-body';
import { canonicalTarget } from './request-target';
import { sendRepresentation, type Representation } from './representation';
import { VIEWER_COOKIE, viewerFor } from '../lib/viewers/viewer-access';

/** How long a viewer's session, once read, is taken as it was: signing out or losing access shows within this. */
const VIEWER_SESSION_RECHECK_MS = 5_000;
/** The group a private page's strangers are served as (see viewedPage): the sign-in page, nothing of the page. */
const STRANGERS = '';
const VIEWER_COOKIE_PATTERN = new RegExp(`(?:^|;\\s*)${VIEWER_COOKIE}=([^;]{1,100})`);

/** Requests one client address may have waiting on the render threads at once (a browser opens six connections). */
const MAX_RELAYED_PER_ADDRESS = 16;

// Headers that describe one hop of a connection, not the request itself.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'content-length']);
/** Decided here and handed over as the request's address and client instead. */
const DECIDED_HERE = new Set(['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-proto', 'forwarded']);

const firstValue = (header: string | string[] | undefined): string | undefined =>
  (Array.isArray(header) ? header[0] : header)?.split(',')[0]!.trim() || undefined;

/**
 * A request as a renderer takes it. Its address is the one the browser asked
 * for: the Host header, or the host a proxy that TRUST_PROXY names says the
 * browser asked for; the scheme a proxy names (a form's Origin is checked
 * against this address, and no cross-site form can set these headers).
 */
/** The host a request names: a trusted proxy's X-Forwarded-Host, else Host. */
function requestHost(req: IncomingMessage, fromProxy: boolean): string | undefined {
  return (fromProxy && firstValue(req.headers['x-forwarded-host'])) || req.headers.host;
}

function renderRequest(req: IncomingMessage, target: string, body: Buffer, client: string, fromProxy: boolean, now: number, page: string): RenderRequest {
  const scheme = firstValue(req.headers['x-forwarded-proto']) === 'https' ? 'https' : 'http';
  let host = requestHost(req, fromProxy) || 'localhost';
  const port = fromProxy ? firstValue(req.headers['x-forwarded-port']) : undefined;
  if (port && /^\d{1,5}$/.test(port) && !/:\d+$/.test(host)) host = `${host}:${port}`;
  // A host is letters, digits, dots, hyphens, brackets and a port; anything else (a path, a user) is not taken as one.
  const origin = /^[\w.\-[\]:]{1,300}$/.test(host) && URL.canParse(`${scheme}://${host}`) ? new URL(`${scheme}://${host}`).origin : `${scheme}://localhost`;
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || DECIDED_HERE.has(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.push([name, one]);
  }
  // Copied, so only the body's own bytes cross to the thread (a small Buffer shares a larger pool).
  return { method: req.method ?? 'GET', url: origin + target, headers, body: body.length > 0 ? new Uint8Array(body) : undefined, client, now, page };
}

export interface DispatchDeps {
  db: Db;
  now: () => number;
  headers: { base: Record<string, string>; cors: Record<string, string> };
  staticFiles: Map<string, Representation>;
  /** The logo, favicon and theme stylesheet under /brand/. */
  brand: BrandFiles;
  /** The configuration with Admin → Settings applied (the default language may be set there). */
  site: () => Config;
  /** The status pages, each with its cache, live rounds and index, found by Host. */
  pages: PageSites;
  /** The public pages of the build and their cache policy (dist/public-routes.json). */
  publicRoutes: PublicRoutes;
  clients: ClientAddresses;
  renderers: RenderPool;
  /** What a write on a page asks the render thread to render straight after it: the page's pages a change renders again, for the version it will make. */
  pagesAfterWrite: (page: PageSite) => NonNullable<RenderRequest['thenRender']>;
  /** Told once a write is answered by the render thread: notices what it changed, before anyone can read it back. */
  wrote: (page: PageSite, pages: NonNullable<RenderRequest['thenRender']>, changed: boolean) => void;
  health: HealthDeps;
  metrics: Metrics;
}

/**
 * Where each request goes, in order: one canonical spelling of its path;
 * static files and public pages from memory; live events; then, with the
 * body read and counted, one-click unsubscribes here and everything else on
 * a render thread.
 */
export function createDispatcher(deps: DispatchDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { staticFiles, headers } = deps;

  // Most requests repeat a few URLs; remembering how each maps saves parsing it again.
  const routes = new Map<string, PublicRoute | null>();
  const routeFor = (target: string): PublicRoute | null => {
    let route = routes.get(target);
    if (route === undefined) {
      route = deps.publicRoutes.routeFor(new URL(target, 'http://local'));
      // Only short targets are remembered: made-up long ones would fill memory for nothing.
      if (target.length <= 200) {
        if (routes.size > 10_000) routes.clear();
        routes.set(target, route);
      }
    }
    return route;
  };
  const relayed = new Map<string, number>();

  /**
   * The cache key a public GET is served from: the reader's language, or the
   * 404 when what it names does not exist; and whether Accept-Language chose it.
   */
  const keyFor = (req: IncomingMessage, route: PublicRoute, page: PageSite): [key: string, negotiated: boolean] => {
    const exists = !route.subjects || route.subjects.every((subject) => page.index.has(subject));
    if (route.locale) return [exists ? route.key : localizeKey(route.locale, NOT_FOUND_KEY), false];
    const key = exists ? route.key : NOT_FOUND_KEY;
    if (!route.localizable && exists) return [key, false];
    const defaultLocale = page.defaultLocale ?? deps.site().defaultLocale;
    const wanted = negotiateLocale(req.headers['accept-language'], defaultLocale);
    return [wanted === defaultLocale ? key : localizeKey(wanted, key), true];
  };

  const { metrics } = deps;
  const pageOf = (req: IncomingMessage) => deps.pages.forHost(requestHost(req, deps.clients.isProxy(req.socket.remoteAddress ?? '')));
  // Viewers' sessions as last read, for a few seconds: a private page's readers are not a query each.
  const sessions = new Map<string, { group: string | undefined; until: number }>();
  /** The site a private page's reader is served from: their group's; undefined for a stranger. */
  const viewersSite = (req: IncomingMessage, page: PageSite): PageSite | undefined => {
    const token = VIEWER_COOKIE_PATTERN.exec(req.headers.cookie ?? '')?.[1];
    if (!token) return undefined;
    const at = deps.now();
    const key = `${page.id} ${token}`;
    let known = sessions.get(key);
    if (!known || known.until < at) {
      if (sessions.size > 10_000) sessions.clear();
      known = { group: viewerFor(deps.db, page.id, token, at)?.group, until: at + VIEWER_SESSION_RECHECK_MS };
      sessions.set(key, known);
    }
    return known.group === undefined ? undefined : deps.pages.forViewers(page, known.group);
  };
  const refuseStranger = (res: ServerResponse) => {
    res.writeHead(401, { ...headers.base, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'private, no-store' });
    res.end('This status page is private: sign in to see it.\n');
  };
  return async (req, res) => {
    const raw = req.url ?? '/';
    const target = canonicalTarget(raw);
    metrics.classify(res, 'refused');
    if (target === null) {
      res.writeHead(400, { ...headers.base, 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      return void res.end('That address is not a path of this site.\n');
    }
    if (target !== raw) {
      // Every later step sees one spelling of each path; browsers are sent to it.
      if (req.method === 'GET' || req.method === 'HEAD') {
        res.writeHead(308, { ...headers.base, location: target, 'cache-control': 'public, max-age=3600' });
        return void res.end();
      }
      req.url = target;
    }
    const path = target.split('?')[0]!;
    if (answerHealth(req, res, path, deps.health, headers.base)) return void metrics.classify(res, 'health');
    // Checked here first: every other request goes on without waiting a turn.
    if (path === '/metrics' && (await answerMetrics(req, res, path, metrics, deps.site().metricsToken, headers.base))) return;
    if (req.method === 'GET' || req.method === 'HEAD') {
      const file = staticFiles.get(path) ?? (path.startsWith('/brand/') ? deps.brand.get(path) : undefined);
      if (file) {
        metrics.classify(res, 'static');
        return sendRepresentation(req, res, file);
      }
      if ((req.method === 'GET' && path === '/events') || path === '/live.json') metrics.classify(res, 'live');
      const found = pageOf(req);
      // A private page's viewers are served from their group's site. Strangers are served from a site of
      // their own (group ''), whose every page is the sign-in page or a 401, rendered once per change like
      // any other, so a crowd of them costs no renders.
      const viewers = found.private ? viewersSite(req, found) : found;
      if (req.method === 'GET' && path === '/events') return viewers ? viewers.live.accept(req, res, addressKey(deps.clients.of(req))) : refuseStranger(res);
      if (path === '/live.json')
        return viewers ? viewers.live.answerDocument(req, res, deps.clients.isProxy(req.socket.remoteAddress ?? '')) : refuseStranger(res);
      const page = viewers ?? deps.pages.forViewers(found, STRANGERS);
      const route = routeFor(target);
      if (route) {
        metrics.classify(res, 'public');
        const [key, negotiated] = keyFor(req, route, page);
        const held = page.cache.peek(key);
        metrics.cacheLookup(held !== undefined);
        return sendRepresentation(req, res, held ?? (await page.cache.get(key, route.timeSensitive)), negotiated);
      }
    }
    metrics.classify(res, 'app');
    if (req.method === 'OPTIONS' && routeFor(target)?.cors) {
      res.writeHead(204, { ...headers.cors, 'access-control-allow-methods': 'GET, HEAD, OPTIONS', 'access-control-max-age': '86400' });
      return void res.end();
    }
    // One client (an IPv6 one by its /64) may keep only so many requests waiting on the render threads (pipelining sends many on one connection).
    const client = deps.clients.of(req);
    const clientKey = addressKey(client);
    const waiting = relayed.get(clientKey) ?? 0;
    if (waiting >= MAX_RELAYED_PER_ADDRESS) {
      res.writeHead(429, { ...headers.base, 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1', connection: 'close' });
      return void res.end('Too many requests at once from your address. Try again in a moment.\n');
    }
    relayed.set(clientKey, waiting + 1);
    res.once('close', () => {
      const left = (relayed.get(clientKey) ?? 1) - 1;
      if (left > 0) relayed.set(clientKey, left);
      else relayed.delete(clientKey);
    });
    // Whatever the framing, the body is read and counted here, before any parsing or authentication.
    const body = await readRequestBody(req, res, headers.base, clientKey);
    if (body === null) return;
    // The link in a Japanese mail is /ja/unsubscribe: one-click works on every language's spelling.
    if (req.method === 'POST' && splitLocalePath(path).rest === '/unsubscribe')
      return oneClickUnsubscribe(res, new URL(target, 'http://local'), deps.db, deps.now(), headers.base);
    for (const [name, value] of Object.entries(headers.base)) res.setHeader(name, value);
    res.setHeader('cache-control', 'private, no-store');
    // A write is committed by the time its answer comes back, and the pages
    // it changed are being rendered behind it: from here on, readers of
    // those pages wait for them rather than read them as they were.
    const page = pageOf(req);
    const request = renderRequest(req, target, body, client, deps.clients.isProxy(req.socket.remoteAddress ?? ''), deps.now(), page.id);
    const after = req.method !== 'GET' && req.method !== 'HEAD' ? deps.pagesAfterWrite(page) : undefined;
    const answer = await deps.renderers.render(after ? { ...request, thenRender: after } : request);
    if (after) deps.wrote(page, after, answer.changed === true);
    // A viewer who signed out is a stranger from the next request on, not after the session is next read.
    if (req.method === 'POST' && splitLocalePath(path).rest === '/viewer/sign-out') {
      const token = VIEWER_COOKIE_PATTERN.exec(req.headers.cookie ?? '')?.[1];
      if (token) sessions.delete(`${page.id} ${token}`);
    }
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of answer.headers) {
      if (HOP_BY_HOP.has(name)) continue;
      const held = out[name];
      out[name] = held === undefined ? value : Array.isArray(held) ? [...held, value] : [held, value];
    }
    res.writeHead(answer.status, out);
    res.end(answer.body);
  };
}

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Db } from '../../db/open';
import type { Config } from '../lib/config';
import { readSiteSettings, withSiteSettings } from '../lib/site/site-settings';
import { withPageSettings } from '../lib/pages/page-scope';
import { viewedPage } from '../lib/viewers/viewer-access';
import { changeCounterReader } from '../lib/site/change-counter';
import { negotiateLocale, localizedPath, splitLocalePath } from '../lib/i18n/locale-path';

/**
 * A request as the serving thread hands it to a renderer: everything Astro
 * needs, decided already (the client's address, the clock, the live-update
 * version a public page is rendered for). Plain data, so it crosses a
 * MessagePort as it is.
 */
export interface RenderRequest {
  method: string;
  /** The absolute address, built by the serving thread from Host (or a trusted proxy's X-Forwarded-Host). */
  url: string;
  headers: [name: string, value: string][];
  body?: Uint8Array<ArrayBuffer>;
  /** The client's address as the serving thread decided it (TRUST_PROXY applied). */
  client: string;
  /** The serving thread's clock when the request came (tests fix it). */
  now: number;
  liveVersion?: string;
  /**
   * The status page the request is for, by id, as the serving thread found it
   * by Host (the default page if left out); `id/group` for a private page's
   * page rendered for one group of viewers (see viewedPage).
   */
  page?: string;
  /**
   * Set on a write: the public pages to render straight after it if it
   * changed anything, and the live-update version they are for (see
   * withPagesAfterWrites).
   */
  thenRender?: { keys: string[]; liveVersion: string };
}

export interface RenderAnswer {
  status: number;
  /** In order, with each Set-Cookie on its own. */
  headers: [name: string, value: string][];
  body: Uint8Array<ArrayBuffer>;
  /** Set on a write's answer when it moved the change counter: public pages changed. */
  changed?: boolean;
}

/** A public page as the cache keeps it. */
export interface Rendered {
  status: number;
  contentType: string;
  /** Headers the page set that say something about the body (Content-Language, Link), kept with it in the cache. */
  headers: Record<string, string>;
  body: Buffer;
}

export type Render = (request: RenderRequest) => Promise<RenderAnswer>;

type AstroEntry = { render: (request: Request, locals: App.Locals, clientAddress: string) => Promise<Response> };

/** Headers the cache makes itself for every representation, or that belong to one exchange only. */
const NOT_KEPT = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'date',
  'etag',
  'cache-control',
  'vary',
  'set-cookie',
]);

/** The request for a public page as the cache renders it: a GET with no cookies, in the site's language unless the path names one. */
export function pageRequest(path: string, now: number, liveVersion?: string, page?: string): RenderRequest {
  return { method: 'GET', url: `http://localhost${path}`, headers: [], client: '127.0.0.1', now, liveVersion, page };
}

/** A rendered public page as the cache keeps it. */
export function renderedPage(answer: RenderAnswer): Rendered {
  const headers: Record<string, string> = {};
  for (const [name, value] of answer.headers) if (!NOT_KEPT.has(name) && !name.startsWith('x-astro')) headers[name] = value;
  const contentType = answer.headers.find(([name]) => name === 'content-type')?.[1] ?? 'text/html; charset=utf-8';
  return { status: answer.status, contentType, headers, body: Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength) };
}

/**
 * Loads Astro's build (dist/server/entry.mjs, made from astro-entry.ts) and
 * returns the function that renders one request with it: the same in a render
 * thread and, with RENDER_THREADS=0, in the serving thread itself.
 */
export async function createRenderer(options: { db: Db; environment: Config; distDir: string }): Promise<Render> {
  const { db, environment } = options;
  const entry = (await import(pathToFileURL(join(options.distDir, 'server', 'entry.mjs')).href)) as AstroEntry;
  const renderOne: Render = async (message) => {
    const url = new URL(message.url);
    // /ja/history is /history in Japanese: the prefix is taken off before
    // Astro routes the request, so the route that runs (and the staff guard in
    // the middleware, which decides on that route) never sees two spellings.
    const { locale, rest } = splitLocalePath(url.pathname);
    if (locale) url.pathname = rest;
    const prefix = locale ? `/${locale}` : '';
    const headers = new Headers(message.headers);
    // Every page gets its context the same way: database, configuration, clock, language and the link helper.
    // What staff set under Admin → Settings is read on every request (one row by key), so a change shows on the next render.
    // (AsyncLocalStorage would carry the same at a cost on every promise, and a page render makes thousands.)
    const { page, viewerGroup } = viewedPage(db, message.page);
    const config = withPageSettings(withSiteSettings(environment, readSiteSettings(db)), page);
    const locals: App.Locals = {
      shirase: { db, config, environment, now: () => message.now, page },
      viewerGroup,
      locale: locale ?? negotiateLocale(headers.get('accept-language') ?? undefined, config.defaultLocale),
      localePrefix: prefix,
      link: (path: string) => localizedPath(prefix, path),
      liveVersion: message.liveVersion,
    };
    const hasBody = message.method !== 'GET' && message.method !== 'HEAD';
    const request = new Request(url, { method: message.method, headers, body: hasBody ? message.body : undefined });
    const response = await entry.render(request, locals, message.client);
    const answer: RenderAnswer = { status: response.status, headers: [], body: new Uint8Array(await response.arrayBuffer()) };
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') answer.headers.push([name, value]);
    });
    for (const cookie of response.headers.getSetCookie()) answer.headers.push(['set-cookie', cookie]);
    return answer;
  };
  return withPagesAfterWrites(db, renderOne);
}

/**
 * The public pages a write changed are rendered in this thread straight after
 * it, and its author does not wait for them. The serving thread names, with
 * the write, the pages a change renders again (the front page and the pages
 * readers are reading) and the version that change will be. When the write
 * moves the change counter, it is answered at once and those pages are
 * rendered one by one behind it; the serving thread, seeing the counter move,
 * asks for them at once (PublicCache.expect), and each request is answered
 * with the page rendered here, so nothing is rendered twice. Before each page,
 * whatever else waits on the port (the next write, a staff screen) goes first;
 * a write that moves the counter again leaves the rest to its own pages.
 */
function withPagesAfterWrites(db: Db, renderOne: Render): Render {
  const counter = changeCounterReader(db);
  // The pages after the latest write, by status page and address: the version and change counter they show, and the answer once rendered.
  let after = new Map<string, { liveVersion: string; counter: number; answer: Promise<RenderAnswer | undefined> }>();
  const pageKey = (request: RenderRequest) => `${request.page ?? ''} ${request.url}`;
  const renderAfter = (keys: string[], liveVersion: string, now: number, shown: number, page: string | undefined) => {
    const pages = keys.map((key) => {
      let settle!: (answer: RenderAnswer | undefined) => void;
      const answer = new Promise<RenderAnswer | undefined>((resolve) => (settle = resolve));
      return { key, answer, settle };
    });
    after = new Map(pages.map(({ key, answer }) => [pageKey(pageRequest(key, now, liveVersion, page)), { liveVersion, counter: shown, answer }]));
    void (async () => {
      for (const { key, settle } of pages) {
        await new Promise((resolve) => setImmediate(resolve));
        // Undefined sends whoever asks for the page to render it for the latest change (or to fail as it would have, the connection closed).
        try {
          settle(counter() === shown ? await renderOne(pageRequest(key, now, liveVersion, page)) : undefined);
        } catch {
          settle(undefined);
        }
      }
    })();
  };
  return async (request) => {
    const { thenRender } = request;
    if (thenRender === undefined) {
      const held = request.method === 'GET' ? after.get(pageKey(request)) : undefined;
      if (held && held.liveVersion === request.liveVersion && held.counter === counter()) {
        const answer = await held.answer;
        // A copy: the answer's bytes move to the serving thread, and the held ones may be given again.
        if (answer) return { ...answer, body: new Uint8Array(answer.body) };
      }
      return renderOne(request);
    }
    const before = counter();
    const answer = await renderOne(request);
    const shown = counter();
    if (shown === before) return answer;
    renderAfter(thenRender.keys, thenRender.liveVersion, request.now, shown, request.page);
    return { ...answer, changed: true };
  };
}

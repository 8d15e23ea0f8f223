import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Db } from '../../db/open';
import type { Config } from '../lib/config';
import { readSiteSettings, withSiteSettings } from '../lib/site/site-settings';
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
}

export interface RenderAnswer {
  status: number;
  /** In order, with each Set-Cookie on its own. */
  headers: [name: string, value: string][];
  body: Uint8Array<ArrayBuffer>;
}

export type Render = (request: RenderRequest) => Promise<RenderAnswer>;

type AstroEntry = { render: (request: Request, locals: App.Locals, clientAddress: string) => Promise<Response> };

/**
 * Loads Astro's build (dist/server/entry.mjs, made from astro-entry.ts) and
 * returns the function that renders one request with it: the same in a render
 * thread and, with RENDER_THREADS=0, in the serving thread itself.
 */
export async function createRenderer(options: { db: Db; environment: Config; distDir: string }): Promise<Render> {
  const { db, environment } = options;
  const entry = (await import(pathToFileURL(join(options.distDir, 'server', 'entry.mjs')).href)) as AstroEntry;
  return async (message) => {
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
    const config = withSiteSettings(environment, readSiteSettings(db));
    const locals: App.Locals = {
      shirase: { db, config, environment, now: () => message.now },
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
}

// A render thread: runs Astro for every page render and every staff or API
// request the serving thread hands over (see render-pool.ts). It has its own
// database connection (WAL lets it read while others write) and answers only
// the serving thread, which holds the key.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import { openDatabase } from '../../db/open';
import { readSiteSettings, withSiteSettings } from '../lib/site/site-settings';
import { negotiateLocale, localizedPath, splitLocalePath } from '../lib/i18n/locale-path';
import { CLIENT_ADDRESS_HEADER, LIVE_VERSION_HEADER, NOW_HEADER, RENDER_HEADER, type RenderWorkerData } from './render-protocol';

type AstroHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void, locals?: object) => Promise<void>;

async function main(): Promise<void> {
  const data = workerData as RenderWorkerData;
  const db = openDatabase(data.databasePath, { maxBytes: data.config.databaseMaxBytes });
  const entry = (await import(pathToFileURL(join(data.distDir, 'server', 'entry.mjs')).href)) as { handler: AstroHandler };
  const server = createServer((req, res) => {
    if (req.headers[RENDER_HEADER] !== data.renderKey) {
      res.writeHead(403).end();
      return;
    }
    // Astro reads the client's address from X-Forwarded-For; the serving thread has decided what it is.
    const client = req.headers[CLIENT_ADDRESS_HEADER];
    if (typeof client === 'string' && client) req.headers['x-forwarded-for'] = client;
    else delete req.headers['x-forwarded-for'];
    // Each request carries the serving thread's clock (tests fix it) and gets
    // a context of its own with it, handed to Astro as the request's locals.
    // (AsyncLocalStorage would do the same at a cost on every promise, and a
    // page render makes thousands.)
    const clock = Number(req.headers[NOW_HEADER]) || Date.now();
    const liveVersion = req.headers[LIVE_VERSION_HEADER];
    // /ja/history is /history in Japanese: the prefix is taken off before
    // Astro routes the request, so the route that runs (and the staff guard in
    // the middleware, which decides on that route) never sees two spellings.
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const { locale, rest } = splitLocalePath(q >= 0 ? url.slice(0, q) : url);
    if (locale) req.url = rest + (q >= 0 ? url.slice(q) : '');
    const prefix = locale ? `/${locale}` : '';
    // Every page gets its context the same way: database, configuration, clock, language and the link helper.
    // What staff set under Admin → Settings is read on every request (one row by key), so a change shows on the next render.
    const config = withSiteSettings(data.config, readSiteSettings(db));
    const locals: App.Locals = {
      shirase: { db, config, environment: data.config, now: () => clock },
      locale: locale ?? negotiateLocale(req.headers['accept-language'], config.defaultLocale),
      localePrefix: prefix,
      link: (path: string) => localizedPath(prefix, path),
      liveVersion: typeof liveVersion === 'string' ? liveVersion : undefined,
    };
    void entry.handler(req, res, undefined, locals);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => parentPort!.postMessage({ port: (server.address() as AddressInfo).port }));
  parentPort!.on('message', (message: unknown) => {
    if (message === 'close') {
      server.closeAllConnections();
      server.close(() => {
        db.$client.close();
        process.exit(0);
      });
    }
  });
}

void main();

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { basename, dirname, join, resolve } from 'node:path';
import { watch, type FSWatcher } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Db } from '../../db/open';
import type { Config } from '../lib/config';
import { bumpChangeCounter, changeCounterReader } from '../lib/site/change-counter';
import { folderSignature } from '../lib/postmortems/load-postmortems';
import { ensurePageId } from '../lib/site/page-identity';
import { enqueueMaintenanceReminders, runMaintenanceWindows } from '../lib/incidents/run-maintenance-windows';
import { createCourier } from '../lib/notifications/courier';
import { startDeliveryLoop } from '../lib/notifications/deliver';
import { oneClickUnsubscribe } from './one-click-unsubscribe';
import { PublicCache } from './public-cache';
import { LiveEvents } from './live-events';
import { FRONT_PAGE_KEYS, NOT_FOUND_KEY, STARTUP_KEYS, localizeKey, publicRouteFor, type PublicRoute } from './public-routes';
import { canonicalTarget } from './request-target';
import { readRequestBody } from './request-body';
import { clientAddresses } from './client-address';
import { limitConnections } from './connection-limits';
import { PublicIndex } from './public-index';
import { negotiateLocale } from '../lib/i18n/locale-path';
import { sendRepresentation } from './representation';
import { securityHeaders } from './security-headers';
import { loadStaticFiles } from './static-files';
import { exportSite } from './export-site';
import { RenderPool } from './render-pool';

/** A write's answer waits this long at most for the public pages to show it. */
const WRITE_WAIT_MS = 2_000;

function withinWriteWait(pages: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, WRITE_WAIT_MS);
  });
  return Promise.race([pages, limit]).finally(() => clearTimeout(timer));
}

export interface ShiraseServer {
  url: string;
  cache: PublicCache;
  live: LiveEvents;
  /** Writes the public site as static files (see export-site.ts). */
  exportTo(dir: string): Promise<{ files: number }>;
  /** Checks for changes now instead of waiting for the next poll; resolves once the public pages show them. */
  checkForChanges(): Promise<void>;
  close(): Promise<void>;
}

export interface ServerOptions {
  db: Db;
  config: Config;
  /** The folder holding Astro's build (server/ and client/). */
  distDir: string;
  log?: (line: string) => void;
  /** How often to look for writes made by other processes. */
  changePollMs?: number;
  maintenancePollMs?: number;
  now?: () => number;
  maxLiveClients?: number;
  postmortemPollMs?: number;
  deliveryIdleMs?: number;
  retryBaseMs?: number;
  /** How long a client may take over a request's headers, and over the whole request (tests shorten them). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}


/**
 * Calls `changed` soon after any connection commits to the database: a
 * commit is written to the WAL file first, and the file system says so at
 * once. The counter poll stays as the safety net (some file systems, such as
 * network ones, report nothing).
 */
function watchWriteAheadLog(databasePath: string, changed: () => void): FSWatcher | undefined {
  if (databasePath === ':memory:') return undefined;
  const file = resolve(databasePath);
  const walName = `${basename(file)}-wal`;
  let scheduled = false;
  try {
    const watcher = watch(dirname(file), (_event, name) => {
      if (name !== walName || scheduled) return;
      // A commit writes the file several times; one look at the counter covers them all.
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        changed();
      });
    });
    watcher.unref();
    return watcher;
  } catch {
    return undefined;
  }
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Shirase's HTTP server. This thread serves public pages from memory (see
 * PublicCache), the live event stream and one-click unsubscribes; everything
 * else, and every render, is handed to the render threads (see RenderPool).
 */
export async function startShiraseServer(options: ServerOptions): Promise<ShiraseServer> {
  const { db, config } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const now = options.now ?? (() => Date.now());
  ensurePageId(db);

  const https = config.siteUrl.startsWith('https:');
  const baseHeaders = securityHeaders(https);
  const corsHeaders = { ...baseHeaders, 'access-control-allow-origin': '*' };
  const localizedHeaders = { ...baseHeaders, vary: 'Accept-Encoding, Accept-Language' };
  const staticFiles = loadStaticFiles(join(options.distDir, 'client'), baseHeaders);

  // Renders cut short by closing are not failures worth a log line.
  let closing = false;
  const renderers = await RenderPool.start({ config, distDir: options.distDir, now, log });

  const cache = new PublicCache(
    (key) => renderers.render(key),
    {
      maxEntries: 500,
      now,
      onError: (key, error) => {
        if (!closing) log(`[shirase] rendering ${key} failed: ${error instanceof Error ? error.message : String(error)}`);
      },
      timeSensitive: (key) => publicRouteFor(new URL(key, 'http://local'))?.timeSensitive ?? false,
      headersFor: (key) => {
        const route = publicRouteFor(new URL(key, 'http://local'));
        // Pages differ by language as well as encoding, so caches must keep them apart.
        return route?.cors ? corsHeaders : route?.localizable ? localizedHeaders : baseHeaders;
      },
    },
  );

  const live = new LiveEvents(baseHeaders, options.maxLiveClients, Math.max(1, Math.floor(config.maxConnectionsPerAddress / 4)));

  // Most requests repeat a few URLs; remembering how each maps saves parsing it again.
  const routes = new Map<string, ReturnType<typeof publicRouteFor>>();
  const routeFor = (rawUrl: string) => {
    let route = routes.get(rawUrl);
    if (route === undefined && !routes.has(rawUrl)) {
      route = publicRouteFor(new URL(rawUrl, 'http://local'));
      if (routes.size > 10_000) routes.clear();
      routes.set(rawUrl, route);
    }
    return route ?? null;
  };

  const index = new PublicIndex(db, config.postmortemsDir, () => cache.currentGeneration);
  const clients = clientAddresses(config.trustProxy);

  /** The cache key a public GET is served from: the reader's language, or the 404 when what it names does not exist. */
  const keyFor = (req: IncomingMessage, route: PublicRoute): string => {
    const exists = !route.subject || index.has(route.subject);
    if (route.locale) return exists ? route.key : localizeKey(route.locale, NOT_FOUND_KEY);
    const key = exists ? route.key : NOT_FOUND_KEY;
    if (!route.localizable && exists) return key;
    const wanted = negotiateLocale(req.headers['accept-language'], config.defaultLocale);
    return wanted === config.defaultLocale ? key : localizeKey(wanted, key);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = req.url ?? '/';
    const target = canonicalTarget(raw);
    if (target === null) {
      res.writeHead(400, { ...baseHeaders, 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      return res.end('That address is not a path of this site.\n');
    }
    if (target !== raw) {
      // Every later step sees one spelling of each path; browsers are sent to it.
      if (req.method === 'GET' || req.method === 'HEAD') {
        res.writeHead(308, { ...baseHeaders, location: target, 'cache-control': 'public, max-age=3600' });
        return res.end();
      }
      req.url = target;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const file = staticFiles.get(target);
      if (file) return sendRepresentation(req, res, file);
      if (req.method === 'GET' && target.split('?')[0] === '/events') return live.accept(req, res, clients.of(req));
      const route = routeFor(target);
      if (route) {
        const key = keyFor(req, route);
        const rep = cache.peek(key) ?? (await cache.get(key, route.timeSensitive));
        return sendRepresentation(req, res, rep);
      }
    }
    const url = new URL(target, 'http://local');
    if (req.method === 'GET' || req.method === 'HEAD') {
      const file = staticFiles.get(url.pathname);
      if (file) return sendRepresentation(req, res, file);
    }
    if (req.method === 'OPTIONS' && routeFor(target)?.cors) {
      res.writeHead(204, { ...corsHeaders, 'access-control-allow-methods': 'GET, HEAD, OPTIONS', 'access-control-max-age': '86400' });
      return res.end();
    }
    // Whatever the framing, the body is read and counted here, before any parsing or authentication.
    const body = await readRequestBody(req, res, baseHeaders);
    if (body === null) return;
    if (req.method === 'POST' && url.pathname === '/unsubscribe') return oneClickUnsubscribe(res, url, db, now(), baseHeaders);
    for (const [name, value] of Object.entries(baseHeaders)) res.setHeader(name, value);
    res.setHeader('cache-control', 'private, no-store');
    // A write is committed by the time its answer starts: the public pages
    // learn of it before the writer can ask for them.
    const writes = req.method !== 'GET' && req.method !== 'HEAD';
    await renderers.proxy(req, res, { body, client: clients.of(req), beforeAnswer: writes ? () => withinWriteWait(checkForChanges()) : undefined });
  };

  const server = createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A client that hung up mid-answer is not a failure of ours.
      if (res.destroyed || (error as NodeJS.ErrnoException)?.code === 'ECONNRESET' || (error as Error)?.message === 'aborted') return;
      // The path only: query strings carry signed tokens that must never reach a log.
      log(`[shirase] ${req.method} ${(req.url ?? '').split('?')[0]} failed: ${error instanceof Error ? error.stack : String(error)}`);
      if (!res.headersSent) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5', ...baseHeaders });
        res.end('The status page could not be rendered just now. Please try again in a few seconds.');
      } else res.destroy();
    });
  });
  limitConnections(server, {
    maxConnections: config.maxConnections,
    maxPerAddress: config.maxConnectionsPerAddress,
    addresses: clients,
    headersTimeoutMs: options.headersTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs,
  });

  const exportTo = (dir: string) =>
    exportSite({ db, timeZone: config.timeZone, postmortemsDir: config.postmortemsDir, staticFiles, representation: (key, timeSensitive) => cache.get(key, timeSensitive) }, dir);
  // With EXPORT_DIR set, a static copy follows every change, a second behind at most.
  let exportTimer: NodeJS.Timeout | undefined;
  const scheduleExport = () => {
    if (!config.exportDir || exportTimer) return;
    exportTimer = setTimeout(() => {
      exportTimer = undefined;
      exportTo(config.exportDir!).catch((error: unknown) => log(`[shirase] export to ${config.exportDir} failed: ${error instanceof Error ? error.message : String(error)}`));
    }, 1_000);
  };

  const readChangeCounter = changeCounterReader(db);
  let lastCounter = readChangeCounter();
  let caughtUp: Promise<void> = Promise.resolve();
  /** Starts a round of renders if anything changed; resolves once the public pages show everything seen so far. */
  const checkForChanges = (): Promise<void> => {
    const counter = readChangeCounter();
    if (counter !== lastCounter) {
      lastCounter = counter;
      caughtUp = cache.invalidate(FRONT_PAGE_KEYS).then(() => {
        // Open pages are told only now, so the version they fetch is the new one.
        live.announce(cache.currentGeneration);
        scheduleExport();
      });
    }
    return caughtUp;
  };
  // Postmortems are files: an edit, a new file or a removal counts as a change like any write.
  let postmortemsSeen = folderSignature(config.postmortemsDir);
  const postmortemTimer = setInterval(() => {
    const signature = folderSignature(config.postmortemsDir);
    if (signature === postmortemsSeen) return;
    postmortemsSeen = signature;
    db.transaction((tx) => bumpChangeCounter(tx));
    void checkForChanges();
  }, options.postmortemPollMs ?? 1_000);
  postmortemTimer.unref();
  const changeTimer = setInterval(() => void checkForChanges(), options.changePollMs ?? 10);
  const walWatcher = watchWriteAheadLog(config.databasePath, () => void checkForChanges());
  const maintenanceTimer = setInterval(() => {
    try {
      enqueueMaintenanceReminders(db, now(), config.reminderMinutes);
      if (runMaintenanceWindows(db, now()) > 0) void checkForChanges();
    } catch (error) {
      log(`[shirase] maintenance windows: ${error instanceof Error ? error.message : String(error)}`);
    }
  }, options.maintenancePollMs ?? 15_000);
  changeTimer.unref();
  maintenanceTimer.unref();

  runMaintenanceWindows(db, now());
  // Deliveries run here unless a separate `npm run worker` process does them.
  const courier = config.worker === 'inline' ? createCourier(config) : undefined;
  const stopDeliveries = courier ? startDeliveryLoop(db, { config, courier, log, idleMs: options.deliveryIdleMs, retryBaseMs: options.retryBaseMs }) : undefined;
  const address = await listen(server, config.port, config.host);
  void cache.invalidate(STARTUP_KEYS).then(scheduleExport);
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;

  return {
    url: `http://${host}:${address.port}`,
    cache,
    live,
    exportTo,
    checkForChanges,
    close: async () => {
      closing = true;
      clearInterval(changeTimer);
      walWatcher?.close();
      clearInterval(maintenanceTimer);
      clearInterval(postmortemTimer);
      live.close();
      clearTimeout(exportTimer);
      await stopDeliveries?.();
      courier?.close();
      server.closeAllConnections();
      await Promise.all([new Promise((r) => server.close(r)), renderers.close()]);
    },
  };
}


import { vapidKeys } from '../lib/notifications/browser-push';
import { makePrivateFolder } from '../lib/private-files';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Db } from '../../db/open';
import type { Config } from '../lib/config';
import { ensurePageId } from '../lib/site/page-identity';
import { runMaintenanceWindows } from '../lib/incidents/run-maintenance-windows';
import { createCourier } from '../lib/notifications/courier';
import { startDeliveryLoop } from '../lib/notifications/deliver';
import { PublicCache, type Hurry } from './public-cache';
import { PageSites, type PageRow, type PageSite } from './page-sites';
import { LiveEvents } from './live-events';
import { PublicRoutes } from './public-routes';
import { clientAddresses } from './client-address';
import { limitConnections } from './connection-limits';
import { PublicIndex } from './public-index';
import { securityHeaders } from './security-headers';
import { loadStaticFiles } from './static-files';
import { exportSite } from './export-site';
import { RenderPool } from './render-pool';
import { startChangeFeed } from './change-feed';
import { createDispatcher } from './dispatch';
import { startTimers } from './timers';
import { startBackupSchedule } from '../lib/site/scheduled-backups';
import { Metrics } from './metrics';
import { publishCopy } from '../lib/site/publish-copy';
import { startCheckLoop } from '../lib/checks/check-schedule';
import { BrandFiles } from './brand-files';
import { readSiteSettings, withSiteSettings } from '../lib/site/site-settings';
import { createLogger, logTo, type Log } from '../lib/log';

export interface ShiraseServer {
  url: string;
  /** The default page's cache and live rounds. */
  cache: PublicCache;
  live: LiveEvents;
  /** Every status page this server answers. */
  pages: PageSites;
  renderers: RenderPool;
  /** Writes the public site as static files (see export-site.ts). */
  exportTo(dir: string): Promise<{ files: number }>;
  /** Checks for changes now instead of waiting for the file system to say so; resolves once the public pages show them. */
  checkForChanges(): Promise<void>;
  close(): Promise<void>;
}

export interface ServerOptions {
  db: Db;
  config: Config;
  /** The folder holding Astro's build (server/ and client/). */
  distDir: string;
  log?: Log;
  /** How often the change feed's safety net looks for writes it was not told of (see change-feed.ts). */
  changePollMs?: number;
  maintenancePollMs?: number;
  /** The wait before the second attempt at copying a backup to the rclone remote (doubling after). */
  backupRetryMs?: number;
  /** The wait before the second attempt at publishing the static copy to EXPORT_RCLONE_REMOTE (doubling after). */
  publishRetryMs?: number;
  now?: () => number;
  maxLiveClients?: number;
  /** The length of the rounds a held `/live.json` question lasts at most (tests shorten it). */
  liveRoundMs?: number;
  deliveryIdleMs?: number;
  retryBaseMs?: number;
  /** How long a client may take over a request's headers, and over the whole request (tests shorten them). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** How often the check loop looks for due checks. */
  checkTickMs?: number;
}

/** After a publish that failed every attempt, the next try, changes or not. */
const PUBLISH_AGAIN_MS = 5 * 60_000;

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** The access log (LOG_REQUESTS=1): the path only, as a query string may carry a signed token. */
function logRequest(req: IncomingMessage, res: ServerResponse, log: Log): void {
  const started = performance.now();
  res.once('close', () => {
    const ms = Math.round(performance.now() - started);
    const path = (req.url ?? '').split('?')[0]!;
    log(`${req.method} ${path} ${res.statusCode} ${ms} ms`, 'info', { method: req.method ?? '', path, status: res.statusCode, ms });
  });
}

/**
 * Shirase's HTTP server: start-up wiring. The thread that runs this serves
 * public pages from memory (public-cache.ts), routed by dispatch.ts; every
 * render and every staff, form or API request goes to a render thread as a
 * message (render-pool.ts, render-request.ts); change-feed.ts notices writes, timers.ts runs the clock's
 * own changes.
 */
export async function startShiraseServer(options: ServerOptions): Promise<ShiraseServer> {
  const { db, config } = options;
  const log: Log = options.log ?? logTo(createLogger({ level: config.logLevel }));
  const now = options.now ?? (() => Date.now());
  ensurePageId(db);
  // Made at first start and kept: browsers' push subscriptions are bound to this key pair.
  vapidKeys(db);

  const base = securityHeaders(config.siteUrl.startsWith('https:'));
  const headers = { base, cors: { ...base, 'access-control-allow-origin': '*' } };
  const staticFiles = loadStaticFiles(join(options.distDir, 'client'), base);
  // Only the embed page may be shown in a frame on another site; every other response keeps refusing.
  const { 'x-frame-options': _deny, ...unframed } = base;
  const frameable = { ...unframed, 'content-security-policy': base['content-security-policy']!.replace("frame-ancestors 'none'", 'frame-ancestors *') };
  const brand = new BrandFiles(db, base);
  const publicRoutes = PublicRoutes.read(options.distDir);
  // What staff set under Admin → Settings, read again whenever a change is noticed.
  let site = withSiteSettings(config, readSiteSettings(db));

  // Renders cut short by closing are not failures worth a log line.
  let closing = false;
  const renderers = await RenderPool.start({ db, config, distDir: options.distDir, log });
  // Each status page is a site of its own (see page-sites.ts), opened here and again when staff add one.
  const openPage = (row: PageRow): PageSite => {
    const live = new LiveEvents(base, options.maxLiveClients, Math.max(1, Math.floor(config.maxConnectionsPerAddress / 4)), options.liveRoundMs, row.private);
    // Each page names the live-update version it is rendered for: the one announced once its generation's pages are in.
    const renderTimed = async (key: string, generation: number, urgent: boolean, hurry: Hurry) => {
      const started = performance.now();
      // A group of a private page's viewers is rendered as that group sees the page (see viewedPage).
      const page = await renderers.renderPage(key, now(), live.versionFor(generation), row.group === undefined ? row.id : `${row.id}/${row.group}`, {
        background: !urgent,
        hurry,
      });
      metrics.rendered(performance.now() - started);
      return page;
    };
    const cache = new PublicCache(renderTimed, {
      maxEntries: row.isDefault ? 500 : 200,
      viewersOnly: row.private,
      now,
      onError: (key, error) => {
        if (!closing) log(`[shirase] rendering ${key} of the page ${row.slug} failed: ${error instanceof Error ? error.message : String(error)}`, 'warn');
      },
      onWaitedOut: () => metrics.readerWaitedOut(),
      timeSensitive: (key) => publicRoutes.routeFor(new URL(key, 'http://local'))?.timeSensitive ?? false,
      headersFor: (key) => {
        const route = publicRoutes.routeFor(new URL(key, 'http://local'));
        return route?.cors ? headers.cors : route?.frameable ? frameable : base;
      },
    });
    return { ...row, cache, live, index: new PublicIndex(db, config.postmortems, () => cache.currentGeneration, row.id) };
  };
  const pages = new PageSites(db, openPage, (page) => page.live.close());
  const sum = (of: (page: PageSite) => number) => () => pages.all.reduce((total, page) => total + of(page), 0);
  const metrics = new Metrics({
    db,
    config,
    liveConnections: sum((page) => page.live.size),
    heldQuestions: sum((page) => page.live.waiting),
    renderQueue: sum((page) => page.cache.queued),
    renderInFlight: () => renderers.inFlight,
  });
  const clients = clientAddresses(config.trustProxy);
  if (config.trustProxy && 'hops' in config.trustProxy && !/^(localhost|127\.|::1$|\[::1\])/.test(config.host)) {
    log(
      `[shirase] TRUST_PROXY=${config.trustProxy.hops} believes X-Forwarded-For from anyone who reaches ${config.host}:${config.port} directly; ` +
        'if that port is reachable from outside, name the proxies instead (TRUST_PROXY=10.0.0.5 or a range).',
    );
  }

  // The static copy reads pages through the cache when they are there and renders the rest on the side, so it never pushes readers' pages out.
  const exportTo = (dir: string) =>
    exportSite(
      {
        db,
        postmortems: config.postmortems,
        staticFiles,
        routes: publicRoutes,
        pages: pages.all,
        body: (pageId, key) => (pages.all.find((page) => page.id === pageId) ?? pages.default).cache.currentBody(key),
      },
      dir,
    );
  // With EXPORT_DIR set, a static copy follows every change, a second behind at most,
  // and is then published to EXPORT_RCLONE_REMOTE. Runs never overlap; changes
  // during one are taken by the next.
  let exportTimer: NodeJS.Timeout | undefined;
  let exporting = false;
  let publishLater: NodeJS.Timeout | undefined;
  let exportAgain = false;
  const exportAndPublish = async (dir: string) => {
    exporting = true;
    try {
      await exportTo(dir);
      if (config.exportRcloneRemote) {
        const published = await publishCopy(config, dir, config.exportRcloneRemote, {
          now,
          retryMs: options.publishRetryMs,
          // A newer copy is due: it is published instead of retrying this one.
          giveUp: () => exportAgain || closing,
        });
        if (!published.ok) {
          log(`[shirase] publishing the static copy to ${config.exportRcloneRemote} failed after ${published.attempts} attempts: ${published.error}`, 'warn');
          // Tried again later even if nothing changes, so a remote back from an outage gets the copy.
          clearTimeout(publishLater);
          publishLater = setTimeout(scheduleExport, PUBLISH_AGAIN_MS);
          publishLater.unref();
        }
      }
    } catch (error) {
      log(`[shirase] export to ${dir} failed: ${error instanceof Error ? error.message : String(error)}`, 'warn');
    } finally {
      exporting = false;
      if (exportAgain && !closing) {
        exportAgain = false;
        scheduleExport();
      }
    }
  };
  const scheduleExport = () => {
    if (!config.exportDir || exportTimer) return;
    if (exporting) {
      exportAgain = true;
      return;
    }
    exportTimer = setTimeout(() => {
      exportTimer = undefined;
      void exportAndPublish(config.exportDir!);
    }, 1_000);
  };

  let caughtUp: Promise<void> = Promise.resolve();
  /** Starts a round of renders if anything changed; resolves once the public pages show everything seen so far. */
  const checkForChanges = (writtenOn?: PageSite): Promise<void> => {
    if (feed.changedSinceLastLook()) {
      site = withSiteSettings(config, readSiteSettings(db));
      brand.reload();
      const opened = new Set(pages.reload());
      // A private page is served only from its groups' sites: its own renders nothing.
      const rounds = pages.all
        .filter((page) => !page.private || page.group !== undefined)
        .map((page) => {
          // Every page renders again what its readers have been asking for. The front page is rendered whether
          // read or not on the default page and on the page a write was made on; another page's waits for its
          // next reader, so a change costs no renders on pages nobody is reading.
          const hot = opened.has(page) ? publicRoutes.startupKeys : page.isDefault || page === writtenOn ? publicRoutes.frontPageKeys : [];
          const rendered = page.cache.invalidate(hot, { urgent: page === writtenOn });
          // The generation this change made, not the latest when its renders are in: a later change may have
          // begun meanwhile, and its pages are not in yet.
          const generation = page.cache.currentGeneration;
          // Open pages are told only now, so the version they fetch is the new one.
          return rendered.then(() => page.live.announce(generation));
        });
      caughtUp = Promise.all(rounds).then(scheduleExport);
    }
    return caughtUp;
  };
  /**
   * What a write asks the render thread to render straight after it (see
   * render-request.ts): the pages of the status page it was made on that the
   * change renders again.
   */
  const pagesAfterWrite = (page: PageSite) => ({
    keys: page.cache.keysForChange(publicRoutes.frontPageKeys),
    liveVersion: page.live.versionFor(page.cache.currentGeneration + 1),
  });
  /**
   * After a write that changed public pages (the render thread says so): the
   * change is noticed now if the file system has not told of it yet (the page
   * written on going first), and the pages it changed are asked for at once;
   * their readers wait for them.
   */
  const wrote = (page: PageSite, { keys }: { keys: string[] }, changed: boolean) => {
    if (!changed) return;
    void checkForChanges(page);
    page.cache.expect(keys);
    // The default page shows the other pages' components too: its front page, rendered in the same round,
    // is awaited as well, so whoever wrote reads the write back there at once.
    if (page !== pages.default) pages.default.cache.expect(pages.default.cache.keysForChange(publicRoutes.frontPageKeys));
  };
  // The folder staff's postmortems go to exists from the start, so a file an editor drops in is noticed at once.
  makePrivateFolder(config.postmortems.dir);
  const feed = startChangeFeed({
    db,
    databasePath: config.databasePath,
    postmortems: config.postmortems,
    changed: () => void checkForChanges(),
    safetyNetMs: options.changePollMs,
  });
  const stopTimers = startTimers({ db, config, now, log, changed: () => void checkForChanges(), maintenancePollMs: options.maintenancePollMs });
  const stopBackups = startBackupSchedule(db, config, { now, log, remoteRetryMs: options.backupRetryMs });
  const stopChecks =
    config.checks === 'on' ? startCheckLoop(db, config, { now, log, changed: () => void checkForChanges(), tickMs: options.checkTickMs }) : undefined;

  // Deliveries run here unless a separate `npm run worker` process does them.
  const courier = config.worker === 'inline' ? createCourier(config) : undefined;
  let deliveryTurnAt = now();
  const health = { db, config, now, startedAt: now(), renderThreads: () => renderers.running, deliveryTurnAt: courier ? () => deliveryTurnAt : undefined };
  const dispatch = createDispatcher({
    db,
    site: () => site,
    now,
    headers,
    staticFiles,
    brand,
    pages,
    publicRoutes,
    clients,
    renderers,
    pagesAfterWrite,
    wrote,
    health,
    metrics,
  });
  const server = createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => {
    if (config.logRequests) logRequest(req, res, log);
    dispatch(req, res).catch((error: unknown) => {
      // A client that hung up mid-answer is not a failure of ours.
      if (res.destroyed || (error as NodeJS.ErrnoException)?.code === 'ECONNRESET' || (error as Error)?.message === 'aborted') return;
      // The path only: query strings carry signed tokens that must never reach a log.
      log(`[shirase] ${req.method} ${(req.url ?? '').split('?')[0]} failed: ${error instanceof Error ? error.stack : String(error)}`, 'error');
      if (!res.headersSent) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5', ...base });
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

  runMaintenanceWindows(db, now());
  const stopDeliveries = courier
    ? startDeliveryLoop(db, {
        config,
        courier,
        log,
        idleMs: options.deliveryIdleMs,
        retryBaseMs: options.retryBaseMs,
        onTurn: (at) => (deliveryTurnAt = at),
        onSettled: (channel, result, latencyMs) => metrics.delivered(channel, result, latencyMs),
      })
    : undefined;
  const address = await listen(server, config.port, config.host);
  void Promise.all(pages.all.filter((page) => !page.private).map((page) => page.cache.invalidate(publicRoutes.startupKeys))).then(scheduleExport);
  // The first pages are rendered as a generation of their own, which they name. Nothing older can be served
  // (the cache is empty), so it is the live version from the start.
  for (const page of pages.all) page.live.announce(page.cache.currentGeneration);
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;

  return {
    url: `http://${host}:${address.port}`,
    // The default page's, which every host no page names reaches.
    cache: pages.default.cache,
    live: pages.default.live,
    pages,
    renderers,
    exportTo,
    checkForChanges,
    close: async () => {
      closing = true;
      feed.close();
      stopTimers();
      stopBackups();
      await stopChecks?.();
      for (const page of pages.all) page.live.close();
      clearTimeout(exportTimer);
      clearTimeout(publishLater);
      await stopDeliveries?.();
      courier?.close();
      server.closeAllConnections();
      await Promise.all([new Promise((r) => server.close(r)), renderers.close()]);
    },
  };
}

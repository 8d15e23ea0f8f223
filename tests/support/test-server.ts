import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { migrateDatabase, openDatabase, type Db } from '../../db/open';
import { parseConfig, type Config } from '../../src/lib/config';
import { seedDemo } from '../../src/lib/demo/seed-demo';
import { startShiraseServer, type ShiraseServer } from '../../src/server/shirase-server';
import { copyTemplateDatabase, SEED_TIME_ZONE } from './template-databases';

export interface TestSite {
  url: string;
  db: Db;
  dir: string;
  databasePath: string;
  config: Config;
  server: ShiraseServer;
  close(): Promise<void>;
}

/** A fresh database file with the real migrations, optionally seeded with the demo: a copy of the run's template when there is one. */
export function freshDatabase(options: { seed?: boolean; now?: number } = {}): { db: Db; dir: string; databasePath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shirase-test-'));
  const databasePath = join(dir, 'shirase.db');
  // A demo seeded at another moment than the template's is seeded here.
  const copied = options.now === undefined && copyTemplateDatabase(options.seed ? 'seeded' : 'migrated', databasePath);
  const db = openDatabase(databasePath);
  if (!copied) {
    migrateDatabase(db);
    if (options.seed) seedDemo(db, options.now ?? Date.now(), SEED_TIME_ZONE);
  }
  return { db, dir, databasePath };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The real Shirase server on a free loopback port over a fresh database.
 * `renderThreads` is the one place a test says how many render threads its
 * site runs (RENDER_THREADS); left out, the site renders in the serving thread.
 */
export async function startTestSite(
  options: {
    seed?: boolean;
    distDir?: string;
    env?: Record<string, string>;
    renderThreads?: number;
    now?: () => number;
    maintenancePollMs?: number;
    retryBaseMs?: number;
    log?: (line: string) => void;
    requestTimeoutMs?: number;
    headersTimeoutMs?: number;
    changePollMs?: number;
    maxLiveClients?: number;
    liveRoundMs?: number;
    publishRetryMs?: number;
  } = {},
): Promise<TestSite> {
  const { db, dir, databasePath } = freshDatabase({ seed: options.seed ?? true });
  // Mail goes to files in the test's folder unless a test points it at an SMTP server.
  // A known port, so absolute links (emails, feeds, the API) point at this very server.
  const port = await freePort();
  // Rendered in this thread (RENDER_THREADS=0) unless the test asks for threads: the same function a render thread
  // runs, without a thread's second or so of start-up.
  const config = parseConfig({
    DATABASE_PATH: databasePath,
    HOST: '127.0.0.1',
    PORT: String(port),
    MAIL_DIR: join(dir, 'mail'),
    RENDER_THREADS: String(options.renderThreads ?? 0),
    ...options.env,
  });
  const server = await startShiraseServer({
    db,
    config,
    distDir: options.distDir ?? resolve('dist'),
    log: options.log ?? (() => {}),
    changePollMs: options.changePollMs ?? 50,
    now: options.now,
    maintenancePollMs: options.maintenancePollMs,
    deliveryIdleMs: 50,
    retryBaseMs: options.retryBaseMs ?? 100,
    requestTimeoutMs: options.requestTimeoutMs,
    headersTimeoutMs: options.headersTimeoutMs,
    maxLiveClients: options.maxLiveClients,
    liveRoundMs: options.liveRoundMs,
    publishRetryMs: options.publishRetryMs,
  });
  return {
    url: server.url,
    db,
    dir,
    databasePath,
    config,
    server,
    close: async () => {
      await server.close();
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

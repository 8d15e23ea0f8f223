import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { migrateDatabase, openDatabase, type Db } from '../../db/open';
import { parseConfig, type Config } from '../../src/lib/config';
import { seedDemo } from '../../src/lib/demo/seed-demo';
import { startShiraseServer, type ShiraseServer } from '../../src/server/shirase-server';

export interface TestSite {
  url: string;
  db: Db;
  dir: string;
  databasePath: string;
  config: Config;
  server: ShiraseServer;
  close(): Promise<void>;
}

/** A fresh database file with the real migrations, optionally seeded with the demo. */
export function freshDatabase(options: { seed?: boolean; now?: number } = {}): { db: Db; dir: string; databasePath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shirase-test-'));
  const databasePath = join(dir, 'shirase.db');
  const db = openDatabase(databasePath);
  migrateDatabase(db);
  if (options.seed) seedDemo(db, options.now ?? Date.now(), 'Asia/Tokyo');
  return { db, dir, databasePath };
}

/** The real Shirase server on a free loopback port over a fresh database. */
export async function startTestSite(options: { seed?: boolean; env?: Record<string, string>; now?: () => number; maintenancePollMs?: number } = {}): Promise<TestSite> {
  const { db, dir, databasePath } = freshDatabase({ seed: options.seed ?? true });
  const config = parseConfig({ DATABASE_PATH: databasePath, HOST: '127.0.0.1', PORT: '0', ...options.env });
  const server = await startShiraseServer({
    db,
    config,
    distDir: resolve('dist'),
    log: () => {},
    changePollMs: 50,
    now: options.now,
    maintenancePollMs: options.maintenancePollMs,
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

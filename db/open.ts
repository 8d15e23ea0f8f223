import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

// Beside this file when run from source (db/open.ts); two levels up from the
// bundled server (dist/shirase/*.mjs).
const here = dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_FOLDER = [resolve(here, 'migrations'), resolve(here, '../../db/migrations')].find((dir) => existsSync(dir)) ?? resolve(here, 'migrations');

/**
 * Opens the SQLite file with the settings every Shirase process uses:
 * - WAL, so the page keeps reading while staff write and a second process
 *   (worker, CLI) can write without blocking readers;
 * - synchronous=FULL: every connection here writes (staff writes go through
 *   the render threads' connections, the outbox and timers through the
 *   server's, the CLI and worker through their own), and a write Shirase has
 *   acknowledged must survive a power cut. NORMAL in WAL mode keeps the file
 *   intact but may lose the last commits; FULL syncs the WAL on each commit.
 *   SQLite ignores a change of this pragma inside a transaction, so it is set
 *   once, when the connection opens;
 * - a busy timeout, so a write from another process waits instead of failing
 *   (with transactions begun IMMEDIATE, see below);
 * - foreign keys on, which SQLite leaves off by default.
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle(sqlite, { schema }) as Db;
  // Every transaction here writes. Begun the default (deferred) way, one that
  // reads first and writes after another connection has committed fails at
  // once with SQLITE_BUSY, busy timeout or not; begun IMMEDIATE it takes the
  // write lock up front and waits its turn. The server's threads, the worker
  // and the CLI each have their own connection, so this matters.
  const begin = db.transaction.bind(db);
  db.transaction = ((fn, config) => begin(fn, { behavior: 'immediate', ...config })) as Db['transaction'];
  return db;
}

/**
 * Runs `read` against one snapshot of the database. A page is built from
 * several queries; without one snapshot, a write committed between two of
 * them would show half of itself (a maintenance window in progress under a
 * banner saying all is well).
 */
export function readSnapshot<T>(db: Db, read: () => T): T {
  return db.$client.transaction(read).deferred();
}

export function migrateDatabase(db: Db, migrationsFolder = MIGRATIONS_FOLDER): void {
  migrate(db, { migrationsFolder });
}

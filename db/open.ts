import Database from 'better-sqlite3';
import { sql, type SQL } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

// Beside this file when run from source (db/open.ts); two levels up from the
// bundled server (dist/shirase/*.mjs).
const here = dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_FOLDER =
  [resolve(here, 'migrations'), resolve(here, '../../db/migrations')].find((dir) => existsSync(dir)) ?? resolve(here, 'migrations');

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
 *
 * The file holds TOTP secrets, password hashes, the link-signing key, the
 * VAPID private key and webhook secrets: it and its WAL and shared-memory
 * files are the owner's only (0600, a folder created for it 0700), whatever
 * the umask. A file an older version left readable to others is tightened,
 * and `log` says so.
 *
 * With `maxBytes` (DATABASE_MAX_MB) the file may not grow past it: a write
 * that would is refused with SQLITE_FULL, as on a full disk, and the site
 * says so (STORAGE_FULL, 503) while reading goes on.
 */
export function openDatabase(path: string, options: { log?: (line: string) => void; maxBytes?: number } = {}): Db {
  const onDisk = path !== ':memory:' && path !== '';
  if (onDisk) createPrivately(path);
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Per connection, and never below the file's size now (SQLite keeps the larger).
  if (options.maxBytes) sqlite.pragma(`max_page_count = ${Math.floor(options.maxBytes / Number(sqlite.pragma('page_size', { simple: true })))}`);
  if (onDisk) {
    // SQLite gives the WAL and shared-memory files the database file's mode; ones left from before are tightened here.
    const loosened = [path, `${path}-wal`, `${path}-shm`].filter(tightenToOwner);
    if (loosened.length > 0)
      (options.log ?? console.warn)(`[shirase] ${loosened.join(', ')} could be read by other users; now 0600 (owner only), as they hold secrets.`);
  }
  const db = drizzle(reusingStatements(sqlite) as Database.Database, { schema }) as Db;
  db.$client = sqlite;
  // Every transaction here writes. Begun the default (deferred) way, one that
  // reads first and writes after another connection has committed fails at
  // once with SQLITE_BUSY, busy timeout or not; begun IMMEDIATE it takes the
  // write lock up front and waits its turn. The server's threads, the worker
  // and the CLI each have their own connection, so this matters.
  const begin = db.transaction.bind(db);
  db.transaction = ((fn, config) => begin(fn, { behavior: 'immediate', ...config })) as Db['transaction'];
  return db;
}

/** Distinct queries a connection keeps compiled; the code has a few hundred shapes, and a list of N ids is a shape of its own. */
const STATEMENTS_KEPT = 500;
const keptBy = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * The connection's compiled statement for `source`, compiled on first use.
 * drizzle builds a query's SQL text anew on each call and hands it to
 * `prepare`, which compiled it again every time: on the status page and a
 * staff write that was a sixth of the CPU. Kept statements are reused by
 * their text, least recently used dropped first. A statement is handed out
 * answering rows as objects, whatever mode (`raw`, `pluck`) its last user
 * left it in; one still running (an open iterator) is never handed out twice.
 */
export function keptStatement(db: Pick<Db, '$client'>, source: string): Database.Statement {
  return kept(db.$client, source);
}

function kept(sqlite: Database.Database, source: string): Database.Statement {
  let statements = keptBy.get(sqlite);
  if (!statements) keptBy.set(sqlite, (statements = new Map()));
  let statement = statements.get(source);
  if (statement && !statement.busy) {
    statements.delete(source);
    if (statement.reader) statement.pluck(false).expand(false).raw(false);
  } else {
    statement = sqlite.prepare(source);
  }
  statements.set(source, statement);
  if (statements.size > STATEMENTS_KEPT) statements.delete(statements.keys().next().value!);
  return statement;
}

const builtBy = new WeakMap<Database.Database, Map<string, unknown>>();

/**
 * A query whose shape never changes, built once per connection and run with
 * new values each time. drizzle builds a query's SQL text anew on every call
 * by walking its tree of parts; on a status page render that was a fifth of
 * the CPU, on summary.json two fifths. A query made with `sql.placeholder`
 * for what varies (a list of ids as one JSON array, read with `json_each`,
 * see `inJsonList`) is built here the first time `name` is asked for on this
 * connection and kept. A transaction runs on the same connection, so a query
 * built on the connection's Db runs inside one too; asked through a
 * transaction's own object (which does not name its connection), it is built
 * for that call only.
 */
export function builtOnce<Query>(db: Db | object, name: string, build: () => Query): Query {
  const connection = (db as Partial<Pick<Db, '$client'>>).$client;
  if (!connection) return build();
  let built = builtBy.get(connection);
  if (!built) builtBy.set(connection, (built = new Map()));
  let query = built.get(name) as Query | undefined;
  if (query === undefined) built.set(name, (query = build()));
  return query;
}

/** `column in (the JSON array of values given for placeholder name)`: one shape for a list of any length (see builtOnce). */
export const inJsonList = (column: SQLiteColumn, name: string): SQL => sql`${column} in (select value from json_each(${sql.placeholder(name)}))`;

/** The connection as drizzle sees it: its statements are kept (see keptStatement). */
function reusingStatements(sqlite: Database.Database): Pick<Database.Database, 'prepare' | 'transaction'> {
  return {
    prepare: (source: string) => kept(sqlite, source),
    transaction: (fn) => sqlite.transaction(fn),
  } as Pick<Database.Database, 'prepare' | 'transaction'>;
}

const PRIVATE_FILE_MODE = 0o600;
const PRIVATE_FOLDER_MODE = 0o700;

/** Creates the database's folder (0700) and an empty database file (0600) before SQLite opens it, so it is never readable by others, even for a moment. */
function createPrivately(path: string): void {
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) {
    mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    chmodSync(folder, PRIVATE_FOLDER_MODE);
  }
  try {
    closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
    // The umask may take bits away from the mode asked for; this sets exactly the one meant.
    chmodSync(path, PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** Takes group and other permissions off a file; true when there were any. */
function tightenToOwner(path: string): boolean {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return false;
  }
  if ((mode & 0o077) === 0) return false;
  chmodSync(path, mode & 0o700);
  return true;
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

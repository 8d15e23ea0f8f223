// Which migrations a database file has, and applying the missing ones only
// when the file is one of ours at a version this code knows. A file from a
// newer version, or another application's SQLite file, is refused untouched:
// migrating into either would damage what it holds.
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { Db } from './open';

interface KnownMigration {
  tag: string;
  when: number;
  hash: string;
}

/** A database file this version will not open; the file was left as it was. */
export class DatabaseRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseRefusedError';
  }
}

/** The migrations this version ships, read as drizzle's migrator reads them (the hash is of the whole file). */
function knownMigrations(folder: string): KnownMigration[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
  return journal.entries.map((e) => ({
    tag: e.tag,
    when: e.when,
    hash: createHash('sha256')
      .update(readFileSync(join(folder, `${e.tag}.sql`)))
      .digest('hex'),
  }));
}

export interface MigrationState {
  /** Migrations recorded in the file. */
  applied: number;
  /** Migrations this version knows. */
  known: number;
  /** The known migrations the file lacks, in order. */
  pending: KnownMigration[];
}

/**
 * Reads what the file holds without writing to it. Throws
 * DatabaseRefusedError for a file with tables but no record of our
 * migrations, one whose first migration is not ours, and one at a migration
 * this version does not know.
 */
function readMigrationState(sqlite: Database.Database, folder: string, path: string): MigrationState {
  const known = knownMigrations(folder);
  const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
  if (!tables.includes('__drizzle_migrations')) {
    if (tables.length > 0)
      throw new DatabaseRefusedError(
        `${path} is not a Shirase database (it holds tables such as ${tables.slice(0, 3).join(', ')} but no record of Shirase's migrations); it was left untouched. Set DATABASE_PATH to Shirase's own file, or to a new path for a new site.`,
      );
    return { applied: 0, known: known.length, pending: known };
  }
  const rows = sqlite.prepare('SELECT hash, created_at AS createdAt FROM __drizzle_migrations ORDER BY created_at').all() as {
    hash: string;
    createdAt: number;
  }[];
  if (rows.length > 0 && rows[0]!.hash !== known[0]!.hash)
    throw new DatabaseRefusedError(
      `${path} holds another application's migrations, not Shirase's; it was left untouched. Set DATABASE_PATH to Shirase's own file.`,
    );
  const latest = rows.at(-1)?.createdAt ?? 0;
  const newest = known.at(-1)!.when;
  if (Number(latest) > newest)
    throw new DatabaseRefusedError(
      `${path} is at migration ${rows.length}, and this version of Shirase knows ${known.length}: it was written by a newer version and was left untouched. Restore the backup taken before the upgrade (see docs/upgrading.md), or run the newer version.`,
    );
  return { applied: rows.length, known: known.length, pending: known.filter((m) => m.when > Number(latest)) };
}

/**
 * Checks an existing file through a read-only connection, before any
 * connection that sets pragmas (WAL changes the file's header) touches it.
 */
export function checkDatabaseFile(path: string, folder: string): MigrationState | null {
  if (path === ':memory:' || !existsSync(path)) return null;
  const sqlite = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return readMigrationState(sqlite, folder, path);
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_NOTADB')
      throw new DatabaseRefusedError(`${path} is not an SQLite database; it was left untouched. Set DATABASE_PATH to Shirase's database.`);
    throw error;
  } finally {
    sqlite.close();
  }
}

/**
 * Applies the pending migrations. An existing database is first copied to
 * `<file>.before-<first pending tag>.bak` beside it (VACUUM INTO: one
 * consistent file), so an upgrade can be undone by restoring that copy.
 * Returns what was done, for the start line.
 */
export function upgradeDatabase(db: Db, options: { folder: string; path: string; log?: (line: string) => void }): { applied: string[]; backup: string | null } {
  const state = readMigrationState(db.$client, options.folder, options.path);
  if (state.pending.length === 0) return { applied: [], backup: null };
  let backup: string | null = null;
  if (state.applied > 0 && options.path !== ':memory:') {
    const file = resolve(options.path);
    backup = join(dirname(file), `${basename(file)}.before-${state.pending[0]!.tag}.bak`);
    if (!existsSync(backup)) {
      db.$client.prepare('VACUUM INTO ?').run(backup);
      // It holds everything the database does: secrets included.
      chmodSync(backup, 0o600);
    }
    options.log?.(`[shirase] The database is at migration ${state.applied} of ${state.known}; a copy was kept at ${backup} before migrating.`);
  }
  migrate(db, { migrationsFolder: options.folder });
  for (const m of state.pending) options.log?.(`[shirase] Applied migration ${m.tag}.`);
  return { applied: state.pending.map((m) => m.tag), backup };
}

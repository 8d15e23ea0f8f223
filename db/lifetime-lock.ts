// The server (and a separate delivery worker) hold a lock on the database for
// as long as they run, so that a tool which replaces the database file can
// tell that someone still writes to the old one. A restore that went ahead
// under a running server would lose every write the server acknowledged
// afterwards: it keeps writing to the file that was set aside.
//
// The lock is SQLite's own file lock on a small file beside the database
// (`<database>.lock`): a process holds a shared lock through an open read
// transaction, and the operating system drops it when the process ends,
// however it ends, so a crash never leaves a stale lock behind.
import Database from 'better-sqlite3';
import { chmodSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';

const held = new Map<string, Database.Database>();

function lockPath(databasePath: string): string {
  return `${resolve(databasePath)}.lock`;
}

/** Takes the lifetime lock for this process; releasing it happens by itself at exit, or with the returned function. */
export function holdDatabaseLock(databasePath: string): () => void {
  if (databasePath === ':memory:') return () => {};
  const path = lockPath(databasePath);
  const existing = held.get(path);
  if (existing) return () => {};
  const lock = new Database(path);
  chmodSync(path, 0o600);
  lock.exec('CREATE TABLE IF NOT EXISTS lifetime_lock (note TEXT)');
  // A deferred transaction holds SQLite's SHARED lock from its first read until it ends.
  lock.exec('BEGIN');
  lock.prepare('SELECT count(*) FROM lifetime_lock').get();
  held.set(path, lock);
  return () => {
    if (held.get(path) !== lock) return;
    held.delete(path);
    lock.exec('ROLLBACK');
    lock.close();
  };
}

/**
 * Whether a running process holds the database: tried by taking SQLite's
 * EXCLUSIVE lock on the lock file without waiting, which fails while any
 * holder's shared lock stands.
 */
export function databaseInUse(databasePath: string): boolean {
  if (held.has(lockPath(databasePath))) return true;
  if (!existsSync(lockPath(databasePath))) return false;
  const probe = new Database(lockPath(databasePath));
  try {
    probe.pragma('busy_timeout = 0');
    probe.exec('BEGIN EXCLUSIVE');
    probe.exec('ROLLBACK');
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw error;
  } finally {
    probe.close();
  }
}

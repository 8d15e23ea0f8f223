import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Db } from '../../../db/open';

function integrityOk(path: string): boolean {
  const check = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return check.pragma('integrity_check', { simple: true }) === 'ok';
  } finally {
    check.close();
  }
}

/**
 * Copies the live database with SQLite's online backup, a few pages at a
 * time, so writers are never blocked for long; then checks the copy.
 */
export async function backupDatabase(db: Db, target: string): Promise<{ pages: number; ms: number }> {
  mkdirSync(dirname(target), { recursive: true });
  const started = Date.now();
  const temp = `${target}.partial`;
  rmSync(temp, { force: true });
  const result = await db.$client.backup(temp, { progress: () => 200 });
  if (!integrityOk(temp)) {
    rmSync(temp, { force: true });
    throw new Error('The backup failed its integrity check and was discarded.');
  }
  renameSync(temp, target);
  return { pages: result.totalPages, ms: Date.now() - started };
}

/** Puts a checked backup in place of the database file, removing the old file's journal. */
export function restoreDatabase(source: string, target: string): void {
  if (!existsSync(source)) throw new Error(`There is no backup at ${source}.`);
  if (!integrityOk(source)) throw new Error(`${source} is not a sound SQLite database; nothing was changed.`);
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.restoring`;
  copyFileSync(source, temp);
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  renameSync(temp, target);
}

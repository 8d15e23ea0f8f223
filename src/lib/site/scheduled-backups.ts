// Backups the server takes itself (BACKUP_DIR, BACKUP_EVERY): each one is
// written, the oldest beyond BACKUP_KEEP removed, and the new one copied to
// BACKUP_RCLONE_REMOTE with rclone. What happened last is kept in a small
// status file beside the backups, for the admin to show.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../../db/open';
import type { Config } from '../config';
import { takeBackup } from './backup';
import { makePrivateFolder, writePrivateFile } from '../private-files';
import { rcloneWithRetries, remotePath } from './rclone';
import type { Log } from '../log';

const NAME = /^shirase-backup-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.tar(\.age)?$/;
const STATUS_FILE = 'status.json';

/** `shirase-backup-2026-06-18T09-00-00Z.tar` (`.tar.age` when encrypted): sorts by time, and says when at a glance. */
export function backupFileName(now: number, encrypted = false): string {
  return `shirase-backup-${new Date(now).toISOString().slice(0, 19).replace(/:/g, '-')}Z.tar${encrypted ? '.age' : ''}`;
}

export interface BackupStatus {
  /** The latest backup in the folder. */
  latest?: { file: string; at: number; bytes: number };
  /** The last scheduled attempt, successful or not. */
  lastRun?: { at: number; ok: boolean; error?: string };
  /** The last copy to the rclone remote, after its retries. */
  remote?: { at: number; ok: boolean; attempts: number; error?: string };
}

/** The backups in the folder, oldest first. */
function backupsIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => NAME.test(f)).sort();
  } catch {
    return [];
  }
}

/** What the admin shows: the latest backup's time and size, and how the last run and remote copy went. */
export function readBackupStatus(dir: string): BackupStatus {
  let stored: BackupStatus = {};
  try {
    stored = JSON.parse(readFileSync(join(dir, STATUS_FILE), 'utf8')) as BackupStatus;
  } catch {
    // No run yet.
  }
  const newest = backupsIn(dir).at(-1);
  if (!newest) return { ...stored, latest: undefined };
  const info = statSync(join(dir, newest));
  return { ...stored, latest: { file: newest, at: info.mtimeMs, bytes: info.size } };
}

function writeStatus(dir: string, status: BackupStatus): void {
  const { latest: _computed, ...kept } = status;
  // It names the remote and its errors: the owner's only, like the backups beside it.
  writePrivateFile(join(dir, STATUS_FILE), JSON.stringify(kept, null, 2), join(dir, `.${STATUS_FILE}.tmp`));
}

export interface BackupRunOptions {
  now: () => number;
  /** Attempts at the remote copy before it counts as failed, and the wait before the second (doubling). */
  remoteAttempts?: number;
  remoteRetryMs?: number;
}

/** One scheduled backup: take it, rotate, copy it elsewhere; the status file says how it went. */
export async function runScheduledBackup(db: Db, config: Config, options: BackupRunOptions): Promise<BackupStatus> {
  const backup = config.backup!;
  makePrivateFolder(backup.dir);
  const status = readBackupStatus(backup.dir);
  const at = options.now();
  const name = backupFileName(at, Boolean(config.backupAgeRecipient));
  const file = join(backup.dir, name);
  try {
    await takeBackup(db, config.postmortems.dir, file, { ageRecipient: config.backupAgeRecipient });
  } catch (error) {
    status.lastRun = { at, ok: false, error: error instanceof Error ? error.message : String(error) };
    writeStatus(backup.dir, status);
    return readBackupStatus(backup.dir);
  }
  status.lastRun = { at, ok: true };
  for (const old of backupsIn(backup.dir).slice(0, -backup.keep)) rmSync(join(backup.dir, old), { force: true });
  if (backup.rcloneRemote) {
    status.remote = await rcloneWithRetries(['copyto', file, remotePath(backup.rcloneRemote, name)], {
      now: options.now,
      attempts: options.remoteAttempts,
      retryMs: options.remoteRetryMs,
      // Rotated away while the remote was down: nothing left to copy.
      giveUp: () => !existsSync(file),
    });
  }
  writeStatus(backup.dir, status);
  return readBackupStatus(backup.dir);
}

/**
 * Takes a backup every `BACKUP_EVERY`, counting from the latest one in the
 * folder, so a server restarted often still takes them on time. Runs never
 * overlap. Returns a function that stops the schedule.
 */
export function startBackupSchedule(db: Db, config: Config, options: BackupRunOptions & { log: Log }): () => void {
  const backup = config.backup;
  if (!backup) return () => {};
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const next = () => {
    if (stopped) return;
    const latest = readBackupStatus(backup.dir).latest;
    const due = latest ? latest.at + backup.everyMs : options.now();
    timer = setTimeout(run, Math.max(0, due - options.now()));
    timer.unref();
  };
  const run = async () => {
    try {
      const status = await runScheduledBackup(db, config, options);
      if (status.lastRun && !status.lastRun.ok) options.log(`[shirase] scheduled backup failed: ${status.lastRun.error}`, 'warn');
      else if (status.remote && !status.remote.ok) options.log(`[shirase] backup copied to the remote failed after ${status.remote.attempts} attempts: ${status.remote.error}`, 'warn');
      if (stopped) return;
      if (status.lastRun && !status.lastRun.ok) {
        // A failed run is tried again after a tenth of the interval, not a whole one later.
        timer = setTimeout(run, Math.max(10_000, backup.everyMs / 10));
        timer.unref();
        return;
      }
    } catch (error) {
      options.log(`[shirase] scheduled backup: ${error instanceof Error ? error.message : String(error)}`, 'warn');
    }
    next();
  };
  next();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

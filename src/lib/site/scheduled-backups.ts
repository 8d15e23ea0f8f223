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
import { deleteRemoteFile, listRemote, rcloneWithRetries, remotePath, unknownRemote } from './rclone';
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
  remote?: { at: number; ok: boolean; attempts: number; error?: string; pruneError?: string };
}

/** The backups in the folder, oldest first. */
function backupsIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => NAME.test(f))
      .sort();
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

/** Changes the status file from what it holds now: the copy and the next backup may finish in either order. */
function updateStatus(dir: string, change: (status: BackupStatus) => void): void {
  const status = readBackupStatus(dir);
  change(status);
  writeStatus(dir, status);
}

/** Takes a backup into BACKUP_DIR and keeps the newest BACKUP_KEEP; the file, or null when it failed. */
export async function takeAndRotate(db: Db, config: Config, at: number): Promise<{ file: string; name: string } | null> {
  const backup = config.backup!;
  makePrivateFolder(backup.dir);
  const name = backupFileName(at, Boolean(config.backupAgeRecipient));
  const file = join(backup.dir, name);
  try {
    await takeBackup(db, config.postmortems.dir, file, { ageRecipient: config.backupAgeRecipient });
  } catch (error) {
    updateStatus(backup.dir, (s) => (s.lastRun = { at, ok: false, error: error instanceof Error ? error.message : String(error) }));
    return null;
  }
  updateStatus(backup.dir, (s) => (s.lastRun = { at, ok: true }));
  for (const old of backupsIn(backup.dir).slice(0, -backup.keep)) rmSync(join(backup.dir, old), { force: true });
  return { file, name };
}

/**
 * Copies a backup to BACKUP_RCLONE_REMOTE, retried; once it is there, the
 * remote keeps the newest BACKUP_KEEP backups as the folder does (only
 * files named as backups are ever deleted there). Gives up when a newer
 * backup has been taken meanwhile: that one is copied instead. It runs beside
 * the schedule and the page that asked for it, so it never rejects: what went
 * wrong is in the status file, or, when even that cannot be written, in the
 * answer. Stopped by `signal`, it leaves the status as it was.
 */
export async function copyToRemote(
  config: Config,
  taken: { file: string; name: string },
  options: BackupRunOptions & { signal?: AbortSignal },
): Promise<{ problem?: string }> {
  const backup = config.backup!;
  const remote = backup.rcloneRemote!;
  try {
    const outcome = await rcloneWithRetries(['copyto', taken.file, remotePath(remote, taken.name)], {
      now: options.now,
      attempts: options.remoteAttempts,
      retryMs: options.remoteRetryMs,
      signal: options.signal,
      giveUp: () => !existsSync(taken.file) || (backupsIn(backup.dir).at(-1) ?? taken.name) > taken.name,
    });
    if (options.signal?.aborted) return {};
    let pruneError: string | undefined;
    if (outcome.ok) {
      const listed = await listRemote(remote);
      if ('error' in listed) pruneError = listed.error;
      else
        for (const old of listed.names
          .filter((n) => NAME.test(n))
          .sort()
          .slice(0, -backup.keep)) {
          pruneError = (await deleteRemoteFile(remote, old)) ?? pruneError;
        }
    }
    updateStatus(backup.dir, (s) => (s.remote = { ...outcome, ...(pruneError ? { pruneError } : {}) }));
    if (!outcome.ok) return { problem: `backup copied to the remote failed after ${outcome.attempts} attempts: ${outcome.error}` };
    if (pruneError) return { problem: `older backups could not be removed from the remote: ${pruneError}` };
    return {};
  } catch (error) {
    return { problem: `backup copied to the remote: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** One backup as the schedule takes it, copy included; the status file says how it went. */
export async function runScheduledBackup(db: Db, config: Config, options: BackupRunOptions): Promise<BackupStatus> {
  const taken = await takeAndRotate(db, config, options.now());
  if (taken && config.backup!.rcloneRemote) await copyToRemote(config, taken, options);
  return readBackupStatus(config.backup!.dir);
}

/**
 * Takes a backup every `BACKUP_EVERY`, counting from the latest one in the
 * folder, so a server restarted often still takes them on time. Runs never
 * overlap. Returns a function that stops the schedule.
 */
export function startBackupSchedule(db: Db, config: Config, options: BackupRunOptions & { log: Log }): () => void {
  const backup = config.backup;
  if (!backup) return () => {};
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const next = () => {
    if (stopping.signal.aborted) return;
    const latest = readBackupStatus(backup.dir).latest;
    const due = latest ? latest.at + backup.everyMs : options.now();
    timer = setTimeout(run, Math.max(0, due - options.now()));
    timer.unref();
  };
  const run = async () => {
    try {
      const taken = await takeAndRotate(db, config, options.now());
      const status = readBackupStatus(backup.dir);
      if (!taken) {
        options.log(`[shirase] scheduled backup failed: ${status.lastRun?.error ?? ''}`, 'warn');
        // A failed run is tried again after a tenth of the interval, not a whole one later.
        if (!stopping.signal.aborted) timer = setTimeout(run, Math.max(10_000, backup.everyMs / 10));
        timer?.unref();
        return;
      }
      // The copy goes on beside the schedule: a remote that is down never holds up the next local backup.
      if (backup.rcloneRemote)
        void copyToRemote(config, taken, { ...options, signal: stopping.signal }).then(({ problem }) => {
          if (problem) options.log(`[shirase] ${problem}`, 'warn');
        });
    } catch (error) {
      options.log(`[shirase] scheduled backup: ${error instanceof Error ? error.message : String(error)}`, 'warn');
    }
    next();
  };
  // A misspelt remote is said at start, not at the first copy hours later.
  if (backup.rcloneRemote)
    void unknownRemote(backup.rcloneRemote).then((problem) => {
      if (!problem || stopping.signal.aborted) return;
      options.log(`[shirase] BACKUP_RCLONE_REMOTE=${backup.rcloneRemote}: ${problem}`, 'warn');
      try {
        makePrivateFolder(backup.dir);
        updateStatus(backup.dir, (s) => (s.remote = { at: options.now(), ok: false, attempts: 0, error: problem }));
      } catch (error) {
        options.log(`[shirase] the backup status could not be written: ${error instanceof Error ? error.message : String(error)}`, 'warn');
      }
    });
  next();
  return () => {
    stopping.abort();
    if (timer) clearTimeout(timer);
  };
}

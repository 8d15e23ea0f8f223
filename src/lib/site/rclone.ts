// rclone copies to wherever staff keep things elsewhere (S3, R2, GCS, SFTP,
// WebDAV…): scheduled backups and the public site's failover copy. One way
// to run it, retry it and report it, for both.
import { execFile } from 'node:child_process';
import { trimTrailingSlashes } from '../text/trim-trailing';

/** rclone's last words on a failure: its own message, without the command line or configuration. */
function rcloneError(error: unknown, stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const last = lines.at(-1) ?? (error instanceof Error ? error.message : String(error));
  return last.replace(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} /, '').slice(0, 300);
}

/** `offsite:bucket/` and `name` → `offsite:bucket/name`. */
export function remotePath(remote: string, name: string): string {
  return `${trimTrailingSlashes(remote)}/${name}`;
}

function rclone(args: string[]): Promise<{ error: string | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile('rclone', ['--retries', '1', '--low-level-retries', '2', ...args], { timeout: 15 * 60_000 }, (error, stdout, stderr) => {
      resolve({ error: error ? rcloneError(error, stderr) : null, stdout });
    });
  });
}

const runRclone = async (args: string[]): Promise<string | null> => (await rclone(args)).error;

/** The file names directly in a remote folder; null with rclone's error when it cannot be listed. */
export async function listRemote(remote: string): Promise<{ names: string[] } | { error: string }> {
  const { error, stdout } = await rclone(['lsf', '--files-only', remote]);
  return error === null
    ? {
        names: stdout
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      }
    : { error };
}

/** Deletes one file of a remote; rclone's error when it could not. */
export function deleteRemoteFile(remote: string, name: string): Promise<string | null> {
  return runRclone(['deletefile', remotePath(remote, name)]);
}

/**
 * Whether rclone knows the remote a destination names (`offsite:` of
 * `offsite:backups`), as a sentence when it does not: a misspelt name
 * otherwise shows only when the first copy fails, hours later. A
 * destination spelled with its backend inline (`:webdav,url=…:`) needs no
 * configured remote.
 */
export async function unknownRemote(destination: string): Promise<string | null> {
  if (destination.startsWith(':') || !destination.includes(':')) return null;
  const name = destination.slice(0, destination.indexOf(':'));
  const { error, stdout } = await rclone(['listremotes']);
  if (error !== null) return `rclone could not list its remotes: ${error}`;
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .includes(`${name}:`)
    ? null
    : `rclone has no remote named "${name}" (rclone listremotes lists those it has; rclone config adds one)`;
}

export interface RcloneOutcome {
  at: number;
  ok: boolean;
  attempts: number;
  error?: string;
}

export interface RcloneRetries {
  now: () => number;
  /** Attempts before it counts as failed, and the wait before the second (doubling after). */
  attempts?: number;
  retryMs?: number;
  /** Stops retrying early, when what was to be copied is gone or a newer copy is due. */
  giveUp?: () => boolean;
  /** Aborted when the server stops: no attempt starts after it, and a wait between attempts ends at once. */
  signal?: AbortSignal;
}

/** Waits `ms`, or less when the signal is aborted meanwhile. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Runs one rclone command (`copyto a b`, `sync a b`), retried with doubling waits; says how it went. */
export async function rcloneWithRetries(args: string[], options: RcloneRetries): Promise<RcloneOutcome> {
  const attempts = options.attempts ?? 4;
  let wait = options.retryMs ?? 30_000;
  let error: string | null = null;
  let tried = 0;
  while (tried < attempts && !options.signal?.aborted) {
    tried++;
    error = await runRclone(args);
    if (error === null || options.giveUp?.()) break;
    if (tried < attempts) await pause(wait, options.signal);
    wait *= 2;
  }
  return { at: options.now(), ok: error === null, attempts: tried, ...(error ? { error } : {}) };
}

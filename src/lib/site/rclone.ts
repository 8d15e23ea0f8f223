// rclone copies to wherever staff keep things elsewhere (S3, R2, GCS, SFTP,
// WebDAV…): scheduled backups and the public site's failover copy. One way
// to run it, retry it and report it, for both.
import { execFile } from 'node:child_process';
import { trimTrailingSlashes } from '../text/trim-trailing';

/** rclone's last words on a failure: its own message, without the command line or configuration. */
function rcloneError(error: unknown, stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines.at(-1) ?? (error instanceof Error ? error.message : String(error));
  return last.replace(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} /, '').slice(0, 300);
}

/** `offsite:bucket/` and `name` → `offsite:bucket/name`. */
export function remotePath(remote: string, name: string): string {
  return `${trimTrailingSlashes(remote)}/${name}`;
}

function runRclone(args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('rclone', ['--retries', '1', '--low-level-retries', '2', ...args], { timeout: 15 * 60_000 }, (error, _stdout, stderr) => {
      resolve(error ? rcloneError(error, stderr) : null);
    });
  });
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
}

/** Runs one rclone command (`copyto a b`, `sync a b`), retried with doubling waits; says how it went. */
export async function rcloneWithRetries(args: string[], options: RcloneRetries): Promise<RcloneOutcome> {
  const attempts = options.attempts ?? 4;
  let wait = options.retryMs ?? 30_000;
  let error: string | null = null;
  let tried = 0;
  while (tried < attempts) {
    tried++;
    error = await runRclone(args);
    if (error === null || options.giveUp?.()) break;
    if (tried < attempts) await new Promise((r) => setTimeout(r, wait));
    wait *= 2;
  }
  return { at: options.now(), ok: error === null, attempts: tried, ...(error ? { error } : {}) };
}

// The public site's failover copy (EXPORT_DIR) published after every change
// to EXPORT_RCLONE_REMOTE, another provider that serves it while the origin
// is down. How the last publish went is kept beside the database, never in
// the copy itself, for the admin to show.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../config';
import { rcloneWithRetries, type RcloneOutcome, type RcloneRetries } from './rclone';

export type PublishStatus = RcloneOutcome;

function statusFile(config: Pick<Config, 'databasePath'>): string {
  return join(dirname(config.databasePath), 'publish-status.json');
}

/** How the last publish of the static copy went, if there was one. */
export function readPublishStatus(config: Pick<Config, 'databasePath'>): PublishStatus | undefined {
  try {
    return JSON.parse(readFileSync(statusFile(config), 'utf8')) as PublishStatus;
  } catch {
    return undefined;
  }
}

/**
 * Makes the remote hold exactly what EXPORT_DIR holds (`rclone sync`: pages
 * that no longer exist go too), retried with doubling waits; the status file
 * says how it went.
 */
export async function publishCopy(config: Pick<Config, 'databasePath'>, dir: string, remote: string, options: RcloneRetries): Promise<PublishStatus> {
  // The temporary files of a copy being written are never published.
  const status = await rcloneWithRetries(['sync', '--exclude', '*.tmp', dir, remote], options);
  const file = statusFile(config);
  writeFileSync(`${file}.tmp`, JSON.stringify(status, null, 2));
  renameSync(`${file}.tmp`, file);
  return status;
}

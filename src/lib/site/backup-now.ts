// Admin → Settings → "Take a backup now": the same backup the schedule
// takes (into BACKUP_DIR, rotated, copied to the remote), at once. The copy
// goes on after the answer, as a slow remote must not hold up the page.
import type { Db } from '../../../db/open';
import { recordAudit } from '../audit/record-audit';
import type { Config } from '../config';
import { ShiraseError } from '../errors';
import type { WriteContext } from '../write-context';
import { copyToRemote, readBackupStatus, takeAndRotate } from './scheduled-backups';

export async function takeBackupNow(db: Db, config: Config, ctx: WriteContext): Promise<{ file: string }> {
  if (!config.backup) throw new ShiraseError('CONFLICT', 'errors.backup.off');
  const taken = await takeAndRotate(db, config, ctx.now);
  db.transaction((tx) =>
    recordAudit(tx, ctx, {
      action: 'settings.backup_now',
      entityType: 'site',
      entityId: null,
      before: null,
      after: taken ? { file: taken.name } : { error: readBackupStatus(config.backup!.dir).lastRun?.error ?? '' },
    }),
  );
  if (!taken) throw new ShiraseError('CONFLICT', 'errors.backup.failed', { params: { error: readBackupStatus(config.backup.dir).lastRun?.error ?? '' } });
  // How the copy went is written to the status file that Settings shows; what could not be written there goes to the log.
  if (config.backup.rcloneRemote)
    void copyToRemote(config, taken, { now: () => Date.now() }).then(({ problem }) => {
      if (problem) console.warn(`[shirase] ${problem}`);
    });
  return { file: taken.name };
}

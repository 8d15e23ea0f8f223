// `npm run restore -- <file> [--yes] [--identity FILE]`: puts a backup back.
// Stop the server first; the whole backup is checked before anything is
// replaced, and what it replaces is kept beside. An age-encrypted backup
// needs the identity (--identity, or BACKUP_AGE_IDENTITY).
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { databaseInUse } from '../../db/lifetime-lock';
import { CommandRefusedError, exitWithError, readSettings } from './site-database';
import { restoreBackup, restoreDatabase } from '../lib/site/backup';

/** A bare database copy (taken before backups held postmortems) starts with SQLite's header. */
function isBareDatabase(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(16);
    readSync(fd, head, 0, 16, 0);
    return head.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const yes = args.includes('--yes');
  const at = args.indexOf('--identity');
  const identityFile = at >= 0 ? args[at + 1] : undefined;
  const source = args.find((a, i) => !a.startsWith('--') && !(at >= 0 && i === at + 1));
  if (!source || (at >= 0 && !identityFile)) {
    console.error(
      'Usage: npm run restore -- <file> [--yes] [--identity FILE]\nStop the server, restore, then start it again. An encrypted backup (.tar.age) needs the age identity it was encrypted to.',
    );
    process.exit(2);
  }
  const { config } = readSettings();
  if (databaseInUse(config.databasePath))
    throw new CommandRefusedError(
      `${config.databasePath} is open in a running Shirase server or delivery worker; nothing was changed. Stop it first (systemctl stop shirase, or Ctrl-C where npm start runs), restore, then start it again.`,
    );
  const identityPath = identityFile ?? config.restore.ageIdentityFile;
  let identity: string | undefined;
  if (identityPath) {
    try {
      identity = readFileSync(resolve(identityPath), 'utf8');
    } catch (error) {
      throw new CommandRefusedError(
        `The age identity ${identityPath} could not be read (${error instanceof Error ? error.message : String(error)}); nothing was changed.`,
        { cause: error },
      );
    }
  }
  const path = resolve(source);
  if (existsSync(path) && isBareDatabase(path)) {
    restoreDatabase(path, config.databasePath);
    console.log(`Restored the database copy ${path} to ${config.databasePath} (it holds no postmortems; the folder is unchanged). Start the server again.`);
    return;
  }
  const result = await restoreBackup(
    path,
    { databasePath: config.databasePath, postmortemsDir: config.postmortems.dir },
    { maxBytes: config.restore.maxBytes, identity },
    (plan) => {
      console.log(`${path}: taken ${plan.manifest.createdAt}, ${plan.manifest.files.length} files, every checksum and the database's integrity checked.`);
      if (plan.removes.length > 0) console.log(`Restoring removes ${plan.removes.length} postmortem file(s) written since: ${plan.removes.join(', ')}`);
      if (plan.replaces.length > 0) console.log(`Restoring puts back older versions of: ${plan.replaces.join(', ')}`);
      // Losing newer writing needs a yes; the files would still be kept beside.
      return yes || (plan.removes.length === 0 && plan.replaces.length === 0);
    },
  );
  if ('declined' in result) {
    console.log('Nothing was changed. Run again with --yes to restore anyway (the current files are kept beside).');
    process.exit(3);
  }
  console.log(
    `Restored ${path} to ${config.databasePath} and ${config.postmortems.dir}. What they held before is kept beside: ${result.keptBeside.join(', ') || 'nothing was there'}. Start the server again.`,
  );
}

main().catch(exitWithError);

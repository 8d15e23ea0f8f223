// `npm run backup -- <file>`: one file holding an online copy of the database
// and every postmortem, taken while the server keeps reading and writing.
import { join, resolve } from 'node:path';
import { exitWithError, openSiteDatabase, readSettings } from './site-database';
import { takeBackup } from '../lib/site/backup';
import { backupFileName } from '../lib/site/scheduled-backups';

async function main(): Promise<void> {
  const { config } = readSettings();
  const target = process.argv[2] ?? (config.backup ? join(config.backup.dir, backupFileName(Date.now(), Boolean(config.backupAgeRecipient))) : undefined);
  if (!target) {
    console.error('Usage: npm run backup -- <file>\nCopies the database and the postmortems while the server runs; restore with npm run restore -- <file>.');
    process.exit(2);
  }
  const db = openSiteDatabase(config, { log: (line) => console.error(line) });
  const { bytes, ms, postmortems } = await takeBackup(db, config.postmortems.dir, resolve(target), { ageRecipient: config.backupAgeRecipient });
  db.$client.close();
  console.log(
    `Backed up ${config.databasePath} and ${postmortems} postmortem file(s) from ${config.postmortems.dir} to ${resolve(target)} (${(bytes / 1024).toFixed(0)} KiB in ${ms} ms${config.backupAgeRecipient ? ', encrypted with age' : ''}); every part checked.`,
  );
}

main().catch((error: unknown) => {
  exitWithError(error);
});

// `npm run backup -- <file>`: an online copy of the database, taken with
// SQLite's backup API while the server keeps reading and writing.
import { resolve } from 'node:path';
import { ConfigError, parseConfig } from '../lib/config';
import { openDatabase } from '../../db/open';
import { backupDatabase } from '../lib/site/backup';

async function main(): Promise<void> {
  const target = process.argv[2];
  if (!target) {
    console.error('Usage: npm run backup -- <file>\nCopies the database while the server runs; restore it with npm run restore -- <file>.');
    process.exit(2);
  }
  const config = parseConfig();
  const db = openDatabase(config.databasePath);
  const { pages, ms } = await backupDatabase(db, resolve(target));
  db.$client.close();
  console.log(`Backed up ${config.databasePath} to ${resolve(target)} (${pages} pages in ${ms} ms); integrity check passed.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error);
  process.exit(1);
});

// `npm run restore -- <file>`: replaces the database with a backup. Stop the
// server first; the backup is checked before anything is replaced.
import { resolve } from 'node:path';
import { ConfigError, parseConfig } from '../lib/config';
import { restoreDatabase } from '../lib/site/backup';

try {
  const source = process.argv[2];
  if (!source) {
    console.error('Usage: npm run restore -- <file>\nStop the server, restore, then start it again.');
    process.exit(2);
  }
  const config = parseConfig();
  restoreDatabase(resolve(source), config.databasePath);
  console.log(`Restored ${resolve(source)} to ${config.databasePath}. Start the server again.`);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error);
  process.exit(1);
}

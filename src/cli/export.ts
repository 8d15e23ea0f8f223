// `npm run export -- <dir>`: a static copy of the public site, for hosting elsewhere while the origin is down.
import { resolve } from 'node:path';
import { ConfigError, parseConfig } from '../lib/config';
import { migrateDatabase, openDatabase } from '../../db/open';
import { startShiraseServer } from '../server/shirase-server';
import { buildIfStale } from '../../scripts/build-if-stale.mjs';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) {
    console.error('Usage: npm run export -- <folder>\nWrites the public pages, JSON API, badges and assets as static files.');
    process.exit(2);
  }
  const config = { ...parseConfig(), host: '127.0.0.1', port: 0, exportDir: undefined };
  buildIfStale(process.cwd(), (line) => console.log(line));
  const db = openDatabase(config.databasePath);
  migrateDatabase(db);
  const server = await startShiraseServer({ db, config, distDir: resolve('dist'), log: (line) => console.error(line) });
  const { files } = await server.exportTo(resolve(dir));
  await server.close();
  db.$client.close();
  console.log(`Exported ${files} files to ${resolve(dir)}. Serve the folder as it is; 404.html is the not-found page.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});

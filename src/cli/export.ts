// `npm run export -- <dir>`: a static copy of the public site, for hosting elsewhere while the origin is down.
import { resolve } from 'node:path';
import { exitWithError, openSiteDatabase, readSettings } from './site-database';
import { startShiraseServer } from '../server/shirase-server';
import { buildIfStale } from '../../scripts/build-if-stale.mjs';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) {
    console.error('Usage: npm run export -- <folder>\nWrites the public pages, JSON API, badges and assets as static files.');
    process.exit(2);
  }
  const config = { ...readSettings().config, host: '127.0.0.1', port: 0, exportDir: undefined };
  const db = openSiteDatabase(config, { log: (line) => console.error(line) });
  buildIfStale(process.cwd(), (line) => console.log(line));
  const server = await startShiraseServer({ db, config, distDir: resolve('dist'), log: (line) => console.error(line) });
  const { files } = await server.exportTo(resolve(dir));
  await server.close();
  db.$client.close();
  console.log(`Exported ${files} files to ${resolve(dir)}. Serve the folder as it is; 404.html is the not-found page.`);
}

main().catch((error: unknown) => {
  exitWithError(error);
});

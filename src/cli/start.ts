// The server process: configuration, migrations, the demo on first run, then
// the HTTP server. `npm start` runs this bundled (dist/shirase/start.mjs; see
// scripts/bundle-server.mjs) after building when the sources are newer.
import { resolve } from 'node:path';
import { ConfigError, parseConfig } from '../lib/config';
import { migrateDatabase, openDatabase } from '../../db/open';
import { seedFirstStart } from '../lib/demo/first-start';
import { startShiraseServer } from '../server/shirase-server';
import { listUsers } from '../lib/auth/users';

const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const config = parseConfig();
  const root = process.cwd();

  const db = openDatabase(config.databasePath, { log, maxBytes: config.databaseMaxBytes });
  migrateDatabase(db);
  const first = await seedFirstStart(db, { now: Date.now(), timeZone: config.timeZone, seed: config.seedDemo, siteUrl: config.siteUrl });
  if (first.admin) {
    log(`[shirase] Seeded the demo (the June 18 outage, recent incidents and maintenance) into ${config.databasePath}.`);
    log(`[shirase] Staff sign-in: ${first.admin.email} with password ${first.admin.password} (shown only now; add more staff with npm run admin -- user add <email> --role admin|editor).`);
  } else if (listUsers(db).length === 0) {
    log('[shirase] No staff accounts yet. Add one with: npm run admin -- user add <email> --role admin');
  }

  const server = await startShiraseServer({ db, config, distDir: resolve(root, 'dist'), log });
  log(`[shirase] ${config.siteName} is live at ${server.url} (public URL ${config.siteUrl}, time zone ${config.timeZone}). Staff sign in at ${server.url}/admin.`);

  const stop = async (signal: string) => {
    log(`[shirase] ${signal} received; closing.`);
    await server.close();
    db.$client.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error('[shirase] Could not start:', error instanceof Error ? error.stack : error);
  process.exit(1);
});

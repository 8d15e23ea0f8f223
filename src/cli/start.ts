// The server process: configuration, migrations, the demo on first run, then
// the HTTP server. `npm start` runs this bundled (dist/shirase/start.mjs; see
// scripts/bundle-server.mjs) after building when the sources are newer.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { holdDatabaseLock } from '../../db/lifetime-lock';
import { exitWithError, openSiteDatabase, readSettings } from './site-database';
import { seedFirstStart } from '../lib/demo/first-start';
import { startShiraseServer } from '../server/shirase-server';
import { listUsers } from '../lib/auth/users';
import { SHIRASE_VERSION } from '../lib/version';
import { createLogger, logTo } from '../lib/log';

async function main(): Promise<void> {
  const { config, envFile } = readSettings();
  // After the settings, so LOG_LEVEL in .env counts.
  const log = logTo(createLogger({ level: config.logLevel }));
  const root = process.cwd();

  const db = openSiteDatabase(config, { create: true, log });
  // For as long as this process runs: restore refuses to replace the file under it.
  holdDatabaseLock(config.databasePath);
  const first = await seedFirstStart(db, {
    now: Date.now(),
    timeZone: config.timeZone,
    seed: config.seedDemo,
    siteUrl: config.siteUrl,
    postmortems: config.postmortems,
  });
  if (first.admin) {
    log(`[shirase] Seeded the demo (the June 18 outage, recent incidents and maintenance) into ${config.databasePath}.`);
    const more = 'add more staff with npm run admin -- user add <email> --role admin|editor';
    if (process.stdout.isTTY) log(`[shirase] Staff sign-in: ${first.admin.email} with password ${first.admin.password} (shown only now; ${more}).`);
    else {
      // Not a terminal: a journal or a container log keeps every line for anyone who may read logs.
      const file = join(dirname(resolve(config.databasePath)), 'initial-admin-password.txt');
      writeFileSync(file, `${first.admin.email}\n${first.admin.password}\n`, { mode: 0o600 });
      log(
        `[shirase] Staff sign-in: ${first.admin.email} with the password in ${file} (readable by this user only; delete it once you have signed in; ${more}).`,
      );
    }
  } else if (listUsers(db).length === 0) {
    log('[shirase] No staff accounts yet. Add one with: npm run admin -- user add <email> --role admin');
  }

  const server = await startShiraseServer({ db, config, distDir: resolve(root, 'dist'), log });
  log(
    `[shirase] Shirase ${SHIRASE_VERSION}: ${config.siteName} is live at ${server.url} (public URL ${config.siteUrl}, time zone ${config.timeZone}; settings from the environment${envFile ? ` and ${envFile}` : ''}). Staff sign in at ${server.url}/admin.`,
  );

  const stop = async (signal: string) => {
    log(`[shirase] ${signal} received; closing.`);
    await server.close();
    db.$client.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch(exitWithError);

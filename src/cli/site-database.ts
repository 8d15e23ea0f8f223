// What every command does first: read `.env`, parse the settings, and open
// the site's database. Only the server's first start may create a database;
// a command pointed at a path with no database (a cron job without
// DATABASE_PATH) says so and stops, instead of working on a new, empty file.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { MIGRATIONS_FOLDER, openDatabase, type Db } from '../../db/open';
import { checkDatabaseFile, DatabaseRefusedError, upgradeDatabase } from '../../db/upgrade';
import { ConfigError, parseConfig, readDotEnv, type Config } from '../lib/config';
import { ShiraseError } from '../lib/errors';
import { BackupError } from '../lib/site/backup';
import type { Log } from '../lib/log';

/** A command that cannot go on; its message says what to do, and nothing was written. */
export class CommandRefusedError extends Error {}

export interface CommandSettings {
  config: Config;
  /** The `.env` file read, if any. */
  envFile: string | null;
}

export function readSettings(): CommandSettings {
  const envFile = readDotEnv();
  return { config: parseConfig(), envFile };
}

/**
 * Opens the database at DATABASE_PATH and applies pending migrations
 * (refusing a newer or foreign file untouched). `create` is for the server's
 * first start only.
 */
export function openSiteDatabase(config: Config, options: { create?: boolean; log?: Log } = {}): Db {
  const path = config.databasePath;
  if (!options.create && path !== ':memory:' && !existsSync(path))
    throw new CommandRefusedError(
      `No database at ${resolve(path)}; nothing was created. Set DATABASE_PATH to the server's database (in the environment or .env), or start the server once to create a new one.`,
    );
  checkDatabaseFile(path, MIGRATIONS_FOLDER);
  const db = openDatabase(path, { log: options.log, maxBytes: config.databaseMaxBytes });
  try {
    upgradeDatabase(db, { folder: MIGRATIONS_FOLDER, path, log: options.log });
  } catch (error) {
    db.$client.close();
    throw error;
  }
  return db;
}

/** How a command stops on an error: a refusal or a domain error as its message alone, anything else with its stack; exit 1. */
export function exitWithError(error: unknown): never {
  if (error instanceof ShiraseError) {
    const said = error.localized('en');
    console.error([said.message, ...said.fields.map((f) => `${f.field}: ${f.message}`), said.hint].filter(Boolean).join('\n'));
  } else if (error instanceof ConfigError || error instanceof CommandRefusedError || error instanceof DatabaseRefusedError || error instanceof BackupError)
    console.error(error.message);
  else console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
}

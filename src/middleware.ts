import { defineMiddleware } from 'astro:middleware';
import { resolve } from 'node:path';
import { registerAppContext, registeredAppContext, type AppContext } from './lib/app-context';
import { getConfig } from './lib/config';
import { migrateDatabase, openDatabase } from '../db/open';

// Under `astro dev` there is no Shirase server in front, so the first request
// opens and migrates the database itself.
function devContext(): AppContext {
  const config = getConfig();
  const db = openDatabase(config.databasePath);
  migrateDatabase(db, resolve(process.cwd(), 'db/migrations'));
  const context = { db, config, now: () => Date.now() };
  registerAppContext(context);
  return context;
}

export const onRequest = defineMiddleware((context, next) => {
  context.locals.shirase = registeredAppContext() ?? devContext();
  return next();
});

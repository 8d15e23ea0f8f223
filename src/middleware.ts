import { defineMiddleware } from 'astro:middleware';
import { resolve } from 'node:path';
import { registerAppContext, registeredAppContext, type AppContext } from './lib/app-context';
import { getConfig } from './lib/config';
import { migrateDatabase, openDatabase } from '../db/open';
import { findSessionUser, SESSION_COOKIE } from './lib/auth/sessions';

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

const PUBLIC_ADMIN_PATHS = new Set(['/admin/login', '/admin/login/']);

export const onRequest = defineMiddleware(async (context, next) => {
  const app = registeredAppContext() ?? devContext();
  context.locals.shirase = app;
  const path = context.url.pathname;
  if (path.startsWith('/admin') && !PUBLIC_ADMIN_PATHS.has(path)) {
    const user = findSessionUser(app.db, context.cookies.get(SESSION_COOKIE)?.value, app.now());
    if (!user) {
      if (context.request.method !== 'GET') return new Response('Your session has ended. Sign in again.', { status: 401 });
      return context.redirect(`/admin/login?next=${encodeURIComponent(path + context.url.search)}`, 303);
    }
    context.locals.user = user;
  }
  const response = await next();
  if (context.request.method !== 'GET' && context.request.method !== 'HEAD') app.changed?.();
  return response;
});

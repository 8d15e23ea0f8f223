import { defineMiddleware } from 'astro:middleware';
import { resolve } from 'node:path';
import { registerAppContext, registeredAppContext, type AppContext } from './lib/app-context';
import { getConfig } from './lib/config';
import { migrateDatabase, openDatabase } from '../db/open';
import { findSessionUser, SESSION_COOKIE } from './lib/auth/sessions';
import { negotiateLocale, splitLocalePath } from './lib/i18n/locale-path';

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
/** Where an admin who owes two-factor set-up (STAFF_2FA=required) may go: the set-up itself and the way out. */
const TWO_FACTOR_SETUP_PATH = '/admin/account/two-factor';
const SETUP_PATHS = new Set([TWO_FACTOR_SETUP_PATH, `${TWO_FACTOR_SETUP_PATH}/`, '/admin/logout', '/admin/logout/']);

export const onRequest = defineMiddleware(async (context, next) => {
  // The server hands its context in with each request; the global one serves the render thread and `astro dev`.
  const app = context.locals.shirase ?? registeredAppContext() ?? devContext();
  context.locals.shirase = app;
  // /ja/history is /history in Japanese; without a prefix, the browser's languages decide.
  const { locale, rest } = splitLocalePath(context.url.pathname);
  context.locals.locale = locale ?? negotiateLocale(context.request.headers.get('accept-language'), app.config.defaultLocale);
  context.locals.localePrefix = locale ? `/${locale}` : '';
  const path = rest;
  if (path.startsWith('/admin') && !PUBLIC_ADMIN_PATHS.has(path)) {
    const user = findSessionUser(app.db, context.cookies.get(SESSION_COOKIE)?.value, app.now());
    if (!user) {
      if (context.request.method !== 'GET') return new Response('Your session has ended. Sign in again.', { status: 401 });
      return context.redirect(`/admin/login?next=${encodeURIComponent(path + context.url.search)}`, 303);
    }
    if (app.config.staffTwoFactor === 'required' && user.role === 'admin' && !user.twoFactor && !SETUP_PATHS.has(path)) {
      if (context.request.method !== 'GET') return new Response('Set up two-factor sign-in first: it is required for admins on this site.', { status: 403 });
      return context.redirect(TWO_FACTOR_SETUP_PATH, 303);
    }
    context.locals.user = user;
  }
  const response = await (locale ? next(rest + context.url.search) : next());
  response.headers.set('content-language', context.locals.locale);
  return response;
});

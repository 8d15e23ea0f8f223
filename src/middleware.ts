import { defineMiddleware } from 'astro:middleware';
import type { APIContext } from 'astro';
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

/** Staff routes are decided by the route that will run, never by how the path was spelled. */
function isStaffRoute(routePattern: string): boolean {
  return (routePattern === '/admin' || routePattern.startsWith('/admin/')) && routePattern !== '/admin/login';
}
/** Where an admin who owes two-factor set-up (STAFF_2FA=required) may go: the set-up itself and the way out. */
const TWO_FACTOR_SETUP_PATH = '/admin/account/two-factor';
const SETUP_ROUTES = new Set([TWO_FACTOR_SETUP_PATH, '/admin/logout']);

/** Signs the staff member in for a staff route, or answers for them: to the sign-in page, or to two-factor set-up when it is owed. */
function guardStaff(context: APIContext, app: AppContext, route: string): Response | undefined {
  const user = findSessionUser(app.db, context.cookies.get(SESSION_COOKIE)?.value, app.now());
  const reading = context.request.method === 'GET' || context.request.method === 'HEAD';
  if (!user) {
    if (!reading) return new Response('Your session has ended. Sign in again.', { status: 401, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    return context.redirect(`/admin/login?next=${encodeURIComponent(context.url.pathname + context.url.search)}`, 303);
  }
  if (app.config.staffTwoFactor === 'required' && user.role === 'admin' && !user.twoFactor && !SETUP_ROUTES.has(route)) {
    if (!reading) return new Response('Set up two-factor sign-in first: it is required for admins on this site.', { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    return context.redirect(TWO_FACTOR_SETUP_PATH, 303);
  }
  context.locals.user = user;
  return undefined;
}

export const onRequest = defineMiddleware(async (context, next) => {
  // The server hands its context in with each request; the global one serves `astro dev`.
  const app = context.locals.shirase ?? registeredAppContext() ?? devContext();
  context.locals.shirase = app;
  // The render thread takes any /ja/ prefix off before Astro routes the request
  // and says so in locals; a prefixed path still arrives here under `astro dev`
  // and from a page's Astro.rewrite, and is rewritten to the path without it.
  const split = context.locals.locale ? { locale: null, rest: context.url.pathname } : splitLocalePath(context.url.pathname);
  if (split.locale) context.locals.localePrefix = `/${split.locale}`;
  context.locals.localePrefix ??= '';
  context.locals.locale ??= split.locale ?? negotiateLocale(context.request.headers.get('accept-language'), app.config.defaultLocale);
  // The middleware does not run again for a path it rewrites, so that path is guarded here by its spelling.
  const route = split.locale ? split.rest.replace(/\/+$/, '') : context.routePattern;
  if (isStaffRoute(route)) {
    const answer = guardStaff(context, app, route);
    if (answer) return answer;
  }
  const response = await (split.locale ? next(split.rest + context.url.search) : next());
  response.headers.set('content-language', context.locals.locale);
  // Astro names no charset for pages; browsers must not guess one.
  if (response.headers.get('content-type') === 'text/html') response.headers.set('content-type', 'text/html; charset=utf-8');
  return response;
});

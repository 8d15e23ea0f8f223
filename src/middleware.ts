import { defineMiddleware } from 'astro:middleware';
import type { APIContext, MiddlewareNext } from 'astro';
import type { AppContext } from './lib/app-context';
import { isCrossSiteForm } from './lib/auth/cross-site-form';
import { isStaffRoute, staffForbidden, staffRouteAccess, staffRouteVerdict } from './lib/auth/staff-access';
import { findSessionUser, SESSION_COOKIE } from './lib/auth/sessions';
import { t } from './lib/i18n/messages';
import { localizedPath } from './lib/i18n/locale-path';
import { asStorageFull, ShiraseError } from './lib/errors';
import { VIEWER_COOKIE, viewedPage, viewerFor } from './lib/viewers/viewer-access';
import { errorResponse } from './lib/api/v1/endpoint';
import { escapeHtml } from './lib/text/escape-html';
import type { Locale } from './lib/i18n/messages';

const PLAIN_TEXT = { 'content-type': 'text/plain; charset=utf-8' };

/** Where an admin who owes two-factor set-up (STAFF_2FA=required) may go: the set-up itself and the way out. */
const TWO_FACTOR_SETUP_PATH = '/admin/account/two-factor';
const SETUP_ROUTES = new Set([TWO_FACTOR_SETUP_PATH, '/admin/logout']);

/** Signs the staff member in for a staff route, or answers for them: to the sign-in page, or to two-factor set-up when it is owed. */
function guardStaff(context: APIContext, app: AppContext, route: string): Response | undefined {
  const user = findSessionUser(app.db, context.cookies.get(SESSION_COOKIE)?.value, app.now(), app.config.sessionMaxAgeMs);
  const reading = context.request.method === 'GET' || context.request.method === 'HEAD';
  if (!user) {
    if (!reading) return new Response('Your session has ended. Sign in again.', { status: 401, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    return context.redirect(`/admin/login?next=${encodeURIComponent(context.url.pathname + context.url.search)}`, 303);
  }
  if (app.config.staffTwoFactor === 'required' && user.role === 'admin' && !user.twoFactor && !SETUP_ROUTES.has(route)) {
    if (!reading)
      return new Response('Set up two-factor sign-in first: it is required for admins on this site.', {
        status: 403,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
    return context.redirect(TWO_FACTOR_SETUP_PATH, 303);
  }
  context.locals.user = user;
  return undefined;
}

/**
 * Lets the signed-in staff member through to the route, or refuses as the
 * route's entry in staff-access.ts says: the same answer for every route, so
 * no page decides for itself who may see it.
 */
async function passStaff(context: APIContext, app: AppContext, next: MiddlewareNext): Promise<Response> {
  const route = context.routePattern;
  const signIn = guardStaff(context, app, route);
  if (signIn) return signIn;
  const { method } = context.request;
  const locale = context.locals.locale;
  const verdict = staffRouteVerdict(context.locals.user!, route, method);
  if (verdict === 'allowed') return next();
  if (verdict === 'not-taken') {
    const access = staffRouteAccess(route);
    const allow = [...(access.read ? ['GET', 'HEAD'] : []), ...(access.write ? ['POST'] : [])].join(', ');
    return new Response(t(locale, 'errors.staff.methodNotTaken', { method }), { status: 405, headers: { ...PLAIN_TEXT, allow } });
  }
  if (staffRouteAccess(route).endpoint) return errorResponse(staffForbidden(), locale);
  if (method !== 'GET' && method !== 'HEAD') return new Response(t(locale, 'errors.role.adminOnly'), { status: 403, headers: PLAIN_TEXT });
  // The refusal is a page in the staff layout, in the reader's language; the page answers 403 only when sent here.
  context.locals.staffRefused = true;
  return next('/admin/forbidden');
}

/**
 * Staff screens read in Japanese stay in Japanese: a redirect from a /ja/admin
 * page (after a save, to sign in) keeps the prefix the request came with. The
 * handlers name plain /admin paths; the language is the request's, not theirs.
 */
function keepLanguage(response: Response, prefix: string): Response {
  const location = response.headers.get('location');
  if (!prefix || response.status < 300 || response.status > 399 || !location || !/^\/admin(?:[/?#]|$)/.test(location)) return response;
  const headers = new Headers(response.headers);
  headers.set('location', localizedPath(prefix, location));
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * A write refused for want of room where no form or API handler said it
 * first: JSON for the API, a short page for everything else, both 503.
 */
function storageFullAnswer(error: ShiraseError, locale: Locale, path: string): Response {
  if (path === '/api' || path.startsWith('/api/')) return errorResponse(error, locale);
  const said = error.localized(locale);
  const page = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(said.message)}</title></head><body><main><h1>${escapeHtml(said.message)}</h1><p>${escapeHtml(said.hint ?? '')}</p></main></body></html>`;
  return new Response(page, {
    status: 503,
    headers: { 'content-type': 'text/html; charset=utf-8', 'retry-after': String(error.options.retryAfterSeconds ?? 60) },
  });
}

/** Paths a stranger to a private page may reach: its sign-in, and staff's own ways in (which check staff themselves). */
const OPEN_ON_PRIVATE_PAGES = /^\/(viewer\/|admin(?:\/|$)|api\/v1\/)/;

/**
 * A private page answers only its viewers. A render for one of its groups
 * was let in by the serving thread (see dispatch.ts); any other request
 * carries the viewer's cookie, is narrowed to what their group sees, or is
 * refused: 401, with the sign-in page for a browser and a plain refusal for
 * feeds, calendars and the API.
 */
function passViewer(context: APIContext, app: AppContext): Response | undefined {
  if (!app.page.private || OPEN_ON_PRIVATE_PAGES.test(context.url.pathname)) return undefined;
  if (context.locals.viewerGroup === undefined) {
    const viewer = viewerFor(app.db, app.page.id, context.cookies.get(VIEWER_COOKIE)?.value, app.now());
    if (viewer) {
      context.locals.viewerGroup = viewer.group;
      app.page = viewedPage(app.db, `${app.page.id}/${viewer.group}`).page;
      return undefined;
    }
  } else if (context.locals.viewerGroup !== '') return undefined;
  const path = context.url.pathname;
  if (!/\.(json|rss|atom|xml|ics|csv|svg|js)$/.test(path) && !path.startsWith('/api/')) return undefined;
  const refusal = errorResponse(new ShiraseError('UNAUTHORIZED', 'errors.viewer.signIn', { hint: 'errors.viewer.signIn.hint' }), context.locals.locale);
  refusal.headers.set('cache-control', 'private, no-store');
  return refusal;
}

export const onRequest = defineMiddleware(async (context, next) => {
  // The renderer hands every request its context as locals (see server/render-request.ts),
  // with any /ja/ prefix already taken off, so the route Astro runs is the one guarded here.
  const app = context.locals.shirase;
  if (!context.isPrerendered && isCrossSiteForm(context.request, context.url.origin)) {
    return new Response(t(context.locals.locale, 'errors.crossSiteForm'), { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
  let answer: Response;
  try {
    const refused = passViewer(context, app);
    const stranger = app.page.private && !OPEN_ON_PRIVATE_PAGES.test(context.url.pathname) && !context.locals.viewerGroup;
    // A stranger's browser is shown the sign-in page where the page would be, answered 401.
    answer = refused ?? (stranger ? await next('/viewer/sign-in') : isStaffRoute(context.routePattern) ? await passStaff(context, app, next) : await next());
  } catch (error) {
    const full = asStorageFull(error);
    if (!full) throw error;
    answer = storageFullAnswer(full, context.locals.locale, context.url.pathname);
  }
  const response = keepLanguage(answer, context.locals.localePrefix);
  response.headers.set('content-language', context.locals.locale);
  // Astro names no charset for pages; browsers must not guess one.
  if (response.headers.get('content-type') === 'text/html') response.headers.set('content-type', 'text/html; charset=utf-8');
  return response;
});

import type { AppContext } from '../app-context';

/** The API's view of the request context: data as of one instant. */
export function apiContext(app: AppContext) {
  return { db: app.db, config: app.config, now: app.now(), page: app.page };
}

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'access-control-allow-origin': '*' },
  });
}

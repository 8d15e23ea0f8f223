// The one way a write API route runs: read the JSON body, check the token's
// scope, hand the body to the route's handler (which parses it with its schema
// and calls one verb), and say any ShiraseError as the JSON error body in the
// reader's language. Framework-free: the Astro files only name the pieces.
import type { Db } from '../../../../db/open';
import type { AppContext } from '../../app-context';
import { authenticateToken, type TokenScope } from '../../auth/api-tokens';
import type { Config } from '../../config';
import { asStorageFull, errorBody, HTTP_STATUS_BY_CODE, ShiraseError, type Thing } from '../../errors';
import type { Locale } from '../../i18n/messages';
import { parseInput } from '../../validation';
import type { WriteContext } from '../../write-context';
import type { PageScope } from '../../pages/page-scope';
import { readJsonBody } from '../read-json';
import type { ApiAnswer } from './answers';
import type { z } from 'zod';

/** What an Astro endpoint receives, as far as the write API needs it. */
export interface EndpointContext {
  request: Request;
  clientAddress?: string;
  params: Record<string, string | undefined>;
  locals: { shirase: AppContext; locale: Locale };
}

export interface ApiCall {
  db: Db;
  config: Config;
  now: number;
  /** The token's actor, for the verb's audit row. */
  ctx: WriteContext;
  params: Record<string, string>;
  /** The JSON body, checked to be an object. */
  body: Record<string, unknown>;
  /** The If-Match header: the version an edit started from, when the body does not name one. */
  ifMatch: string | null;
  query: URLSearchParams;
}

function jsonObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ShiraseError('BAD_REQUEST', 'errors.json.notObject', { hint: 'errors.json.notObject.hint' });
  }
  return body as Record<string, unknown>;
}

export function errorResponse(error: ShiraseError, locale: Locale): Response {
  const headers: Record<string, string> = {};
  if (error.code === 'UNAUTHORIZED') headers['www-authenticate'] = 'Bearer realm="shirase"';
  if (error.options.retryAfterSeconds) headers['retry-after'] = String(error.options.retryAfterSeconds);
  return Response.json(errorBody(error, locale), { status: HTTP_STATUS_BY_CODE[error.code], headers });
}

/** Runs a write API route: its token scope first, then its handler, which parses the body and calls one verb. */
export function apiEndpoint({ scope, handle }: { scope: TokenScope; handle: (call: ApiCall) => ApiAnswer }) {
  return async ({ request, params, locals }: EndpointContext): Promise<Response> => {
    const { db, config } = locals.shirase;
    try {
      const raw = request.method === 'GET' || request.method === 'HEAD' ? undefined : await readJsonBody(request);
      const now = locals.shirase.now();
      const actor = authenticateToken(db, request.headers.get('authorization'), scope, now);
      const body = raw === undefined ? {} : jsonObject(raw);
      const answer = handle({
        db,
        config,
        now,
        ctx: { now, actor, site: config },
        params: params as Record<string, string>,
        body,
        ifMatch: request.headers.get('if-match'),
        query: new URL(request.url).searchParams,
      });
      return answer.status === 204 ? new Response(null, { status: 204 }) : Response.json(answer.body, { status: answer.status });
    } catch (error) {
      const said = error instanceof ShiraseError ? error : asStorageFull(error);
      if (!said) throw error;
      return errorResponse(said, locals.locale);
    }
  };
}

/**
 * A reader's JSON call, with no token (a browser turning notifications on):
 * the body is read, bounded and refused like the write API's, must say it is
 * JSON, and errors are said the same way.
 */
export function readerEndpoint(
  handle: (call: { db: Db; config: Config; page: PageScope; now: number; body: Record<string, unknown>; client: string }) => ApiAnswer,
) {
  return async ({ request, locals, clientAddress }: EndpointContext): Promise<Response> => {
    const { db, config, page } = locals.shirase;
    try {
      if (!/^application\/json\s*(;|$)/i.test(request.headers.get('content-type') ?? '')) {
        throw new ShiraseError('BAD_REQUEST', 'errors.json.contentType', { hint: 'errors.json.contentType.hint' });
      }
      const body = jsonObject(await readJsonBody(request));
      const answer = handle({ db, config, page, now: locals.shirase.now(), body, client: clientAddress ?? '' });
      return answer.status === 204 ? new Response(null, { status: 204 }) : Response.json(answer.body, { status: answer.status });
    } catch (error) {
      const said = error instanceof ShiraseError ? error : asStorageFull(error);
      if (!said) throw error;
      return errorResponse(said, locals.locale);
    }
  };
}

/** Any method a route does not have, and any path no route has: NOT_FOUND naming them. */
export async function noEndpoint({ request, locals }: EndpointContext): Promise<Response> {
  const path = new URL(request.url).pathname;
  return errorResponse(
    new ShiraseError('NOT_FOUND', 'errors.api.noEndpoint', { params: { method: request.method, path }, hint: 'errors.api.noEndpoint.hint' }),
    locals.locale,
  );
}

/** Validates a body against its schema, fields named as the client sent them. */
export function parseBody<S extends z.ZodTypeAny>(schema: S, body: unknown, what: Thing): z.output<S> {
  return parseInput(schema, body, what);
}

import type { APIRoute } from 'astro';
import { handleWriteApi } from '../../../lib/api/write-api';
import { readJsonBody } from '../../../lib/api/read-json';
import { errorBody, HTTP_STATUS_BY_CODE, ShiraseError } from '../../../lib/errors';

// Validate, call one verb, map errors: the rest lives in src/lib/api/write-api.ts.
export const ALL: APIRoute = async ({ request, params, locals }) => {
  const { db, config, now } = locals.shirase;
  try {
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await readJsonBody(request);
    const answer = handleWriteApi(db, config, { method: request.method, path: params.path ?? '', authorization: request.headers.get('authorization'), ifMatch: request.headers.get('if-match'), body }, now());
    return Response.json(answer.body, { status: answer.status });
  } catch (error) {
    if (!(error instanceof ShiraseError)) throw error;
    const headers: Record<string, string> = {};
    if (error.code === 'UNAUTHORIZED') headers['www-authenticate'] = 'Bearer realm="shirase"';
    return Response.json(errorBody(error, locals.locale), { status: HTTP_STATUS_BY_CODE[error.code], headers });
  }
};

import type { APIRoute } from 'astro';
import { jsonResponse } from '../../lib/api/respond';
import type { PublicPage } from '../../lib/routes/public-page';

// Every unknown API path shares one cached answer.
export const publicPage: PublicPage = { cors: true, sameAs: '/api/404' };

// Unknown API paths answer in JSON, as API clients expect, rather than with the HTML 404 page.
// The message names no path: one cached answer serves every unknown path (see publicPage above).
export const ALL: APIRoute = () =>
  jsonResponse(
    {
      error: {
        code: 'NOT_FOUND',
        message: 'There is no API endpoint at this path.',
        hint: 'The public endpoints are listed at /api/v2/ in the API documentation, for example /api/v2/summary.json.',
      },
    },
    404,
  );

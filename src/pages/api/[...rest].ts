import type { APIRoute } from 'astro';
import { jsonResponse } from '../../lib/api/respond';

// Unknown API paths answer in JSON, as API clients expect, rather than with the HTML 404 page.
export const ALL: APIRoute = ({ url }) =>
  jsonResponse(
    {
      error: {
        code: 'NOT_FOUND',
        message: `There is no API endpoint at ${url.pathname}.`,
        hint: 'The public endpoints are listed at /api/v2/ in the API documentation, for example /api/v2/summary.json.',
      },
    },
    404,
  );

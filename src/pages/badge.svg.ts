import type { APIRoute } from 'astro';
import { overallBadge } from '../lib/api/badge';
import { statusJson } from '../lib/api/statuspage-v2';
import { apiContext } from '../lib/api/respond';
import { svgResponse } from '../lib/api/svg-response';
import type { PublicPage } from '../lib/routes/public-page';

export const publicPage: PublicPage = { cors: true, startup: true };

export const GET: APIRoute = ({ locals }) => {
  const { status } = statusJson(apiContext(locals.shirase));
  return svgResponse(overallBadge(locals.shirase.config.siteName, status.indicator, status.description));
};

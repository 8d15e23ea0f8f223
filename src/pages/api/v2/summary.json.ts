import type { APIRoute } from 'astro';
import { summaryJson } from '../../../lib/api/statuspage-v2';
import { apiContext, jsonResponse } from '../../../lib/api/respond';
import type { PublicPage } from '../../../lib/routes/public-page';

export const publicPage: PublicPage = { cors: true, startup: true };

export const GET: APIRoute = ({ locals }) => jsonResponse(summaryJson(apiContext(locals.shirase)));

import type { APIRoute } from 'astro';
import { scheduledMaintenancesJson } from '../../../lib/api/statuspage-v2';
import { apiContext, jsonResponse } from '../../../lib/api/respond';
import type { PublicPage } from '../../../lib/routes/public-page';

export const publicPage: PublicPage = { cors: true };

export const GET: APIRoute = ({ locals }) => jsonResponse(scheduledMaintenancesJson(apiContext(locals.shirase), 'all'));

import type { APIRoute } from 'astro';
import { uptimeJson } from '../../../lib/api/statuspage-v2';
import { apiContext, jsonResponse } from '../../../lib/api/respond';

export const GET: APIRoute = ({ locals }) => jsonResponse(uptimeJson(apiContext(locals.shirase)));

import type { APIRoute } from 'astro';
import { statusJson } from '../../../lib/api/statuspage-v2';
import { apiContext, jsonResponse } from '../../../lib/api/respond';

export const GET: APIRoute = ({ locals }) => jsonResponse(statusJson(apiContext(locals.shirase)));

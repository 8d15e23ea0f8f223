import type { APIRoute } from 'astro';
import { componentsJson } from '../../../lib/api/statuspage-v2';
import { apiContext, jsonResponse } from '../../../lib/api/respond';

export const GET: APIRoute = ({ locals }) => jsonResponse(componentsJson(apiContext(locals.shirase)));

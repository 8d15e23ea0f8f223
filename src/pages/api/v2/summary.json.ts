import type { APIRoute } from 'astro';
import { summaryJson } from '../../../lib/api/statuspage-v2';
import { apiContext, jsonResponse } from '../../../lib/api/respond';

export const GET: APIRoute = ({ locals }) => jsonResponse(summaryJson(apiContext(locals.shirase)));

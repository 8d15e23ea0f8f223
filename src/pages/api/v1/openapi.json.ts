import type { APIRoute } from 'astro';
import { openApiDocument } from '../../../lib/api/openapi';

export const GET: APIRoute = ({ locals }) => Response.json(openApiDocument(locals.shirase.config.siteUrl), { headers: { 'access-control-allow-origin': '*' } });

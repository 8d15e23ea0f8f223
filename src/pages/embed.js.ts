import type { APIRoute } from 'astro';
import { embedScript } from '../lib/embed/embed-script';

export const GET: APIRoute = ({ locals }) =>
  new Response(embedScript(locals.shirase.config.siteName), { headers: { 'content-type': 'text/javascript; charset=utf-8' } });

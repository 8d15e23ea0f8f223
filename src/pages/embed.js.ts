import type { APIRoute } from 'astro';
import { embedScript } from '../lib/embed/embed-script';
import type { PublicPage } from '../lib/routes/public-page';

// The script carries its texts in both languages and picks one in the host page.
export const publicPage: PublicPage = { cors: true };

export const GET: APIRoute = ({ locals }) =>
  new Response(embedScript(locals.shirase.config.siteName), { headers: { 'content-type': 'text/javascript; charset=utf-8' } });

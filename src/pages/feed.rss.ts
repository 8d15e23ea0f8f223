import type { APIRoute } from 'astro';
import { buildRssFeed } from '../lib/feeds/rss-feed';

export const GET: APIRoute = ({ locals }) =>
  new Response(buildRssFeed(locals.shirase.db, locals.shirase.config, locals.shirase.now()), {
    headers: { 'content-type': 'application/rss+xml; charset=utf-8' },
  });

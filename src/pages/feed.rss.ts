import type { APIRoute } from 'astro';
import { buildRssFeed } from '../lib/feeds/rss-feed';

// The unprefixed feed is always in the site's language; /ja/feed.rss is Japanese.
export const GET: APIRoute = ({ locals }) =>
  new Response(buildRssFeed(locals.shirase.db, locals.shirase.config, locals.shirase.now(), undefined, locals.localePrefix ? locals.locale : undefined), {
    headers: { 'content-type': 'application/rss+xml; charset=utf-8' },
  });

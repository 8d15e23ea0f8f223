import type { APIRoute } from 'astro';
import { buildFeed, FEED_CONTENT_TYPES, FEED_FORMATS, type FeedFormat } from '../lib/feeds/build-feed';
import type { PublicPage } from '../lib/routes/public-page';

// Feed readers send no Accept-Language worth following: each language has its own feed address.
export const publicPage: PublicPage = { cors: true, prefixable: true, params: { format: FEED_FORMATS }, startup: { format: 'rss' } };

// /feed.rss, /feed.atom and /feed.json. The unprefixed feed is always in the site's language; /ja/feed.atom is Japanese.
export const GET: APIRoute = ({ locals, params, rewrite }) => {
  const format = params.format as FeedFormat;
  if (!FEED_FORMATS.includes(format)) return rewrite('/404');
  return new Response(
    buildFeed(
      locals.shirase.db,
      locals.shirase.config,
      locals.shirase.now(),
      format,
      undefined,
      locals.localePrefix ? locals.locale : undefined,
      locals.shirase.page,
    ),
    {
      headers: { 'content-type': FEED_CONTENT_TYPES[format] },
    },
  );
};

import type { APIRoute } from 'astro';
import { buildFeed, FEED_CONTENT_TYPES, FEED_FORMATS, type FeedFormat } from '../../lib/feeds/build-feed';
import type { PublicPage } from '../../lib/routes/public-page';

export const publicPage: PublicPage = { cors: true, prefixable: true, params: { component: 'component', format: FEED_FORMATS } };

// /feed/<component id>.rss, .atom and .json; 404 for an id that names no component.
export const GET: APIRoute = ({ locals, params }) => {
  const format = params.format as FeedFormat;
  const body = FEED_FORMATS.includes(format)
    ? buildFeed(
        locals.shirase.db,
        locals.shirase.config,
        locals.shirase.now(),
        format,
        params.component ?? '',
        locals.localePrefix ? locals.locale : undefined,
        locals.shirase.page,
      )
    : undefined;
  if (body === undefined) return new Response('No component has this id.\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  return new Response(body, { headers: { 'content-type': FEED_CONTENT_TYPES[format] } });
};

import type { APIRoute } from 'astro';
import { buildRssFeed } from '../../lib/feeds/rss-feed';

export const GET: APIRoute = ({ locals, params }) => {
  const xml = buildRssFeed(locals.shirase.db, locals.shirase.config, locals.shirase.now(), params.component ?? '', locals.localePrefix ? locals.locale : undefined);
  if (xml === undefined) return new Response('No component has this id.\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  return new Response(xml, { headers: { 'content-type': 'application/rss+xml; charset=utf-8' } });
};

import type { APIRoute } from 'astro';
import type { PublicPage } from '../lib/routes/public-page';

// Statuspage's feed addresses, where tools built for it look: the same cached bodies as /feed.atom and /feed.rss.
export const publicPage: PublicPage = { cors: true, prefixable: true, params: { format: ['atom', 'rss'] }, sameAs: '/feed.[format]' };

export const GET: APIRoute = ({ params, rewrite }) => rewrite(`/feed.${params.format === 'atom' ? 'atom' : 'rss'}`);

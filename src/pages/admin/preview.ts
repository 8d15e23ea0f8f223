import type { APIRoute } from 'astro';
import { renderMarkdown } from '../../lib/markdown/render';
import { MAX_BODY_CHARS } from '../../lib/validation';

// The live preview beside Markdown fields: the same sanitised rendering the public pages use.
export const POST: APIRoute = async ({ request }) => {
  const { markdown } = (await request.json().catch(() => ({}))) as { markdown?: unknown };
  const source = typeof markdown === 'string' ? markdown.slice(0, MAX_BODY_CHARS * 2) : '';
  return new Response(JSON.stringify({ html: renderMarkdown(source) }), { headers: { 'content-type': 'application/json; charset=utf-8' } });
};

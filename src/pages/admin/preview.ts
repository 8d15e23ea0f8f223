import type { APIRoute } from 'astro';
import { renderMarkdown } from '../../lib/markdown/render';
import { MAX_POSTMORTEM_CHARS } from '../../lib/postmortems/save-postmortem';

// The live preview beside Markdown fields: the same sanitised rendering the public pages use.
export const POST: APIRoute = async ({ request }) => {
  const { markdown } = (await request.json().catch(() => ({}))) as { markdown?: unknown };
  const source = typeof markdown === 'string' ? markdown.slice(0, MAX_POSTMORTEM_CHARS) : '';
  return new Response(JSON.stringify({ html: renderMarkdown(source) }), { headers: { 'content-type': 'application/json; charset=utf-8' } });
};

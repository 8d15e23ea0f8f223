import type { APIRoute } from 'astro';
import { previewText } from '../../lib/admin/preview-text';
import { MAX_POSTMORTEM_CHARS } from '../../lib/postmortems/save-postmortem';

/** At most this many form fields are read for a preview: a form has a few dozen. */
const MAX_FIELDS = 500;

// The live preview beside Markdown fields: the same sanitised rendering the
// public pages use, with an update's template variables filled as publishing
// will fill them (see preview-text.ts).
export const POST: APIRoute = async ({ request, locals }) => {
  const { db, config, now } = locals.shirase;
  const sent = (await request.json().catch(() => ({}))) as { markdown?: unknown; lang?: unknown; fields?: unknown; incidentId?: unknown };
  const source = typeof sent.markdown === 'string' ? sent.markdown.slice(0, MAX_POSTMORTEM_CHARS) : '';
  const fields =
    sent.fields && typeof sent.fields === 'object' && !Array.isArray(sent.fields)
      ? Object.fromEntries(
          Object.entries(sent.fields)
            .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
            .slice(0, MAX_FIELDS)
            .map(([name, value]) => [name.slice(0, 200), value.slice(0, MAX_POSTMORTEM_CHARS)]),
        )
      : undefined;
  const html = previewText(
    db,
    config,
    {
      markdown: source,
      lang: typeof sent.lang === 'string' ? sent.lang : undefined,
      fields,
      incidentId: typeof sent.incidentId === 'string' ? sent.incidentId : undefined,
    },
    now(),
  );
  return new Response(JSON.stringify({ html }), { headers: { 'content-type': 'application/json; charset=utf-8' } });
};

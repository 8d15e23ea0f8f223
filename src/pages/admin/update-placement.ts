import type { APIRoute } from 'astro';
import { placementHint } from '../../lib/admin/update-placement';
import { loadIncident } from '../../lib/incidents/load-incidents';
import { isPublicId } from '../../lib/ids';

// The update form's time hint as the time changes: the same sentence the page writes after "Check".
export const POST: APIRoute = async ({ request, locals }) => {
  const { db, config } = locals.shirase;
  const body = (await request.json().catch(() => ({}))) as { incidentId?: unknown; status?: unknown; displayAt?: unknown };
  const incident = typeof body.incidentId === 'string' && isPublicId(body.incidentId) ? loadIncident(db, body.incidentId) : undefined;
  const hint = incident
    ? placementHint(incident, { status: String(body.status ?? ''), displayAt: String(body.displayAt ?? '') }, locals.locale, config.timeZone)
    : null;
  return new Response(JSON.stringify({ hint }), { headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
};

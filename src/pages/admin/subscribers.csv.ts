import type { APIRoute } from 'astro';
import { actorFor } from '../../lib/admin/form-input';
import { csvDownloadHeaders } from '../../lib/csv';
import { t } from '../../lib/i18n/messages';
import { recordSubscriberExport, subscribersCsv } from '../../lib/notifications/subscriber-csv';

// Addresses are for admins only, like the list they come from; every copy taken is audited.
export const GET: APIRoute = ({ locals }) => {
  const { db, now } = locals.shirase;
  const user = locals.user!;
  if (user.role !== 'admin') return new Response(t(locals.locale, 'admin.adminOnly'), { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  const { csv, count } = subscribersCsv(db);
  recordSubscriberExport(db, count, { now: now(), actor: actorFor(user) });
  return new Response(csv, { headers: csvDownloadHeaders('subscribers', now()) });
};

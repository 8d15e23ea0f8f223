import type { APIRoute } from 'astro';
import { actorFor } from '../../lib/admin/form-input';
import { csvDownloadHeaders } from '../../lib/csv';
import { recordSubscriberExport, subscribersCsv } from '../../lib/notifications/subscriber-csv';

// Addresses are for those who may read the list they come from (see staff-access.ts); every copy taken is audited.
export const GET: APIRoute = ({ locals }) => {
  const { db, now } = locals.shirase;
  const user = locals.user!;
  const { csv, count } = subscribersCsv(db);
  recordSubscriberExport(db, count, { now: now(), actor: actorFor(user) });
  return new Response(csv, { headers: csvDownloadHeaders('subscribers', now()) });
};

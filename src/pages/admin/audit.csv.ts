import type { APIRoute } from 'astro';
import { auditCsv } from '../../lib/audit/audit-csv';
import { readAuditFilter } from '../../lib/audit/audit-filter-query';
import { allAudit } from '../../lib/audit/list-audit';

export const GET: APIRoute = ({ locals, url }) => {
  const { db, config } = locals.shirase;
  const csv = auditCsv(allAudit(db, readAuditFilter(url.searchParams), config.timeZone), locals.locale, config.timeZone);
  return new Response(csv, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="shirase-audit-${new Date(locals.shirase.now()).toISOString().slice(0, 10)}.csv"`,
      'cache-control': 'no-store',
    },
  });
};

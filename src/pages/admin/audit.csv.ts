import type { APIRoute } from 'astro';
import { auditCsv } from '../../lib/audit/audit-csv';
import { readAuditFilter } from '../../lib/audit/audit-filter-query';
import { allAudit } from '../../lib/audit/list-audit';
import { csvDownloadHeaders } from '../../lib/csv';

export const GET: APIRoute = ({ locals, url }) => {
  const { db, config } = locals.shirase;
  const reader = locals.user?.role ?? 'editor';
  const csv = auditCsv(allAudit(db, readAuditFilter(url.searchParams), config.timeZone, reader), locals.locale, config.timeZone);
  return new Response(csv, { headers: csvDownloadHeaders('audit', locals.shirase.now()) });
};

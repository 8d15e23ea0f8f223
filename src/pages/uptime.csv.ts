import type { APIRoute } from 'astro';
import { csvDocument } from '../lib/csv';
import { errorBody } from '../lib/errors';
import { jsonResponse } from '../lib/api/respond';
import { loadComponentTree } from '../lib/components/load-components';
import { buildUptimeReport, readReportQuery, reportQueryError, UPTIME_CSV_HEADER, uptimeCsvRows } from '../lib/uptime/uptime-report';
import type { PublicPage } from '../lib/routes/public-page';

export const publicPage: PublicPage = { cors: true, timeSensitive: true, personal: ['from', 'to', 'component'] };

// /uptime.csv: the uptime report's months as a spreadsheet, for the range /uptime shows or the one asked for.
export const GET: APIRoute = ({ locals, url }) => {
  const { db, config, now, page } = locals.shirase;
  const at = now();
  const ids = loadComponentTree(db, at, undefined, page).all.map((c) => c.id);
  const query = readReportQuery(url.searchParams, ids, at, config.timeZone);
  if ('problem' in query) return jsonResponse(errorBody(reportQueryError(query), locals.locale), 400);
  const report = buildUptimeReport(db, query.range, at, config.timeZone, undefined, { componentId: query.componentId, page });
  return new Response(csvDocument(UPTIME_CSV_HEADER, uptimeCsvRows(report)), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      // Readable from any origin, like the cached /uptime.csv and the JSON API.
      'access-control-allow-origin': '*',
      'content-disposition': `attachment; filename="uptime-${report.range.from}-to-${report.range.to}.csv"`,
    },
  });
};

import type { APIRoute } from 'astro';
import { uptimeJson, uptimeReportJson } from '../../../lib/api/statuspage-v2';
import { apiContext, jsonResponse } from '../../../lib/api/respond';
import { errorBody } from '../../../lib/errors';
import { loadComponentTree } from '../../../lib/components/load-components';
import { buildUptimeReport, readReportQuery, reportQueryError } from '../../../lib/uptime/uptime-report';
import type { PublicPage } from '../../../lib/routes/public-page';

// This month so far changes with the clock; a range or a component chosen is one reader's question.
export const publicPage: PublicPage = { cors: true, timeSensitive: true, personal: ['from', 'to', 'component'] };

// Without a query: the 90 days of the status page's strips. With `from`, `to` or `component`: the uptime report.
export const GET: APIRoute = ({ locals, url }) => {
  const ctx = apiContext(locals.shirase);
  const query = readReportQuery(
    url.searchParams,
    loadComponentTree(ctx.db, ctx.now, undefined, ctx.page).all.map((c) => c.id),
    ctx.now,
    ctx.config.timeZone,
  );
  if ('problem' in query) return jsonResponse(errorBody(reportQueryError(query), locals.locale), 400);
  if (!query.custom) return jsonResponse(uptimeJson(ctx));
  return jsonResponse(
    uptimeReportJson(ctx, buildUptimeReport(ctx.db, query.range, ctx.now, ctx.config.timeZone, undefined, { componentId: query.componentId, page: ctx.page })),
  );
};

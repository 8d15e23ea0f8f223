// A repeating maintenance is announced once: lists and feeds show the next
// window of a series and say how many follow, not a year of identical windows.
import { and, count, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';

/**
 * Leaves out the windows of a series still to come after its next one (an
 * earlier window that has not begun either). Windows that began, ended or
 * stand alone stay.
 */
export function notLaterSeriesWindow(): SQL {
  return sql`NOT (${incidents.seriesId} IS NOT NULL AND ${incidents.status} = 'scheduled' AND EXISTS (
    SELECT 1 FROM incidents AS earlier
    WHERE earlier.series_id = ${incidents.seriesId} AND earlier.status = 'scheduled'
      AND (earlier.scheduled_for < ${incidents.scheduledFor} OR (earlier.scheduled_for = ${incidents.scheduledFor} AND earlier.id < ${incidents.id}))
  ))`;
}

/** For the next window of each series among `shown`: how many windows of its series are planned after it. */
export function laterWindowCounts(db: Db, shown: readonly { seriesId: string | null; status: string }[]): Map<string, number> {
  const series = [...new Set(shown.filter((i) => i.seriesId !== null && i.status === 'scheduled').map((i) => i.seriesId!))];
  if (series.length === 0) return new Map();
  const rows = db
    .select({ seriesId: incidents.seriesId, n: count() })
    .from(incidents)
    .where(and(inArray(incidents.seriesId, series), sql`${incidents.status} = 'scheduled'`))
    .groupBy(incidents.seriesId)
    .all();
  return new Map(rows.map((r) => [r.seriesId!, r.n - 1]));
}

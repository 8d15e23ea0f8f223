import { count } from 'drizzle-orm';
import { readSnapshot, type Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { localDateOf } from '../time';
import type { Locale } from '../i18n/messages';
import { attachPostmortems, loadIncidents, type IncidentView } from './incidents';

export const HISTORY_PAGE_SIZE = 25;

interface HistoryMonth {
  /** `YYYY-MM` in the page's time zone. */
  key: string;
  year: number;
  month: number;
  incidents: IncidentView[];
}

export interface HistoryPageView {
  page: number;
  pageCount: number;
  total: number;
  months: HistoryMonth[];
}

/**
 * Parses a `page` query value. Anything that is not a positive whole number
 * reads as the first page, so a mangled link never becomes an error.
 */
export function parsePageParam(raw: string | null): number {
  if (!raw || !/^\d{1,6}$/.test(raw)) return 1;
  return Math.max(1, Number(raw));
}

/** One page of incidents and maintenance, newest first, grouped by month in the page's time zone. */
export function buildHistoryPageView(
  db: Db,
  page: number,
  timeZone: string,
  postmortems: ReadonlyMap<string, { slug: string; title: string }> = new Map(),
  locale?: Locale,
): HistoryPageView {
  return readSnapshot(db, () => {
    const total = db.select({ n: count() }).from(incidents).get()?.n ?? 0;
    const pageCount = Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE));
    const rows = attachPostmortems(loadIncidents(db, undefined, { limit: HISTORY_PAGE_SIZE, offset: (page - 1) * HISTORY_PAGE_SIZE, withUpdates: false, locale }), postmortems);
    const months: HistoryMonth[] = [];
    for (const incident of rows) {
      const d = localDateOf(incident.startedAt, timeZone);
      const key = `${d.year}-${String(d.month).padStart(2, '0')}`;
      let month = months[months.length - 1];
      if (!month || month.key !== key) {
        month = { key, year: d.year, month: d.month, incidents: [] };
        months.push(month);
      }
      month.incidents.push(incident);
    }
    return { page, pageCount, total, months };
  });
}

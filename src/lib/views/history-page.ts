import { and, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { readSnapshot, type Db } from '../../../db/open';
import { incidentComponents, incidents } from '../../../db/schema';
import { isPublicId } from '../ids';
import { localDateOf } from '../time';
import type { Locale } from '../i18n/messages';
import { attachPostmortems, loadIncidents, type IncidentView } from '../incidents/load-incidents';
import { laterWindowCounts, notLaterSeriesWindow } from '../maintenance/series-windows';
import { onPage, type PageScope } from '../pages/page-scope';

export const HISTORY_PAGE_SIZE = 25;
/** Longer searches are cut here: no incident name or phrase needs more, and the index is asked no more. */
const MAX_SEARCH_CHARS = 100;
/** The trigram index finds substrings of this many characters or more; shorter ones are looked for by reading every text. */
const INDEXED_SEARCH_CHARS = 3;

interface HistoryMonth {
  /** `YYYY-MM` in the page's time zone. */
  key: string;
  year: number;
  month: number;
  incidents: (IncidentView & { laterInSeries: number })[];
}

/** What the history is narrowed to: one component, words in names and update texts, or both. */
export interface HistoryFilter {
  componentId?: string;
  query?: string;
  /** The status page read (set by the page answering, never by the address): its incidents only. */
  page?: PageScope;
}

export interface HistoryPageView {
  page: number;
  pageCount: number;
  total: number;
  filter: HistoryFilter;
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

/**
 * The filter a history URL asks for. An empty select or search box means no
 * filter; whitespace is collapsed and a long search cut, so spellings that
 * look for the same thing are one search. A component id that is not an id
 * is kept as given: the page answers it with the 404.
 */
export function parseHistoryFilter(params: URLSearchParams): HistoryFilter {
  const filter: HistoryFilter = {};
  const componentId = params.get('component')?.trim();
  if (componentId) filter.componentId = componentId;
  const query = [...(params.get('q') ?? '').replace(/\s+/g, ' ').trim()].slice(0, MAX_SEARCH_CHARS).join('').trim();
  if (query) filter.query = query;
  return filter;
}

/** A component filter that can match something; see parseHistoryFilter. */
export function isValidHistoryFilter(filter: HistoryFilter): boolean {
  return filter.componentId === undefined || isPublicId(filter.componentId);
}

/**
 * The address of one page of the history under a filter. Unfiltered pages
 * are paths, so an exported copy of the site works on any static host; a
 * filter or search travels in the query, page number last.
 */
export function historyHref(filter: HistoryFilter, page: number): string {
  const params = new URLSearchParams();
  if (filter.componentId) params.set('component', filter.componentId);
  if (filter.query) params.set('q', filter.query);
  if (params.size === 0) return page === 1 ? '/history' : `/history/page/${page}`;
  if (page > 1) params.set('page', String(page));
  return `/history?${params.toString()}`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Incidents whose name or updates contain `query`, in any language, ignoring
 * case. Three characters or more are looked up in the trigram index (see
 * migration 0007) as one quoted phrase, so the reader's quotes and operators
 * are only text; shorter ones (a two-character Japanese word) are found by
 * LIKE over the indexed texts, with LIKE's wildcards escaped.
 */
function matchingSearch(query: string): SQL {
  const match =
    [...query].length >= INDEXED_SEARCH_CHARS
      ? sql`incident_search MATCH ${`"${query.replace(/"/g, '""')}"`}`
      : sql`incident_search.body LIKE ${`%${escapeLike(query)}%`} ESCAPE '\\'`;
  return sql`${incidents.id} IN (SELECT m.incident_id FROM incident_search JOIN incident_search_ids m ON m.id = incident_search.rowid WHERE ${match})`;
}

function historyWhere(db: Db, filter: HistoryFilter): SQL | undefined {
  // A repeating maintenance shows its next window, which says how many follow.
  const conditions: SQL[] = [notLaterSeriesWindow()];
  if (filter.componentId) {
    conditions.push(
      inArray(
        incidents.id,
        db.select({ id: incidentComponents.incidentId }).from(incidentComponents).where(eq(incidentComponents.componentId, filter.componentId)),
      ),
    );
  }
  if (filter.query) conditions.push(matchingSearch(filter.query));
  return onPage(and(...conditions), filter.page);
}

/** How many incidents and maintenance windows the filter keeps. */
export function countHistory(db: Db, filter: HistoryFilter = {}): number {
  return db.select({ n: count() }).from(incidents).where(historyWhere(db, filter)).get()?.n ?? 0;
}

/** One page of incidents and maintenance, newest first, grouped by month in the page's time zone. */
export function buildHistoryPageView(
  db: Db,
  page: number,
  timeZone: string,
  postmortems: ReadonlyMap<string, { slug: string; title: string }> = new Map(),
  locale?: Locale,
  filter: HistoryFilter = {},
): HistoryPageView {
  return readSnapshot(db, () => {
    const where = historyWhere(db, filter);
    const offset = (page - 1) * HISTORY_PAGE_SIZE;
    let total: number;
    let list: IncidentView[];
    if (filter.query) {
      // The index is asked once: a common word matches most of the history,
      // and counting and paging would each pay for the match again.
      const ids = db.select({ id: incidents.id }).from(incidents).where(where).orderBy(desc(incidents.startedAt), desc(incidents.id)).all();
      total = ids.length;
      const shown = ids.slice(offset, offset + HISTORY_PAGE_SIZE).map((r) => r.id);
      list = shown.length === 0 ? [] : loadIncidents(db, inArray(incidents.id, shown), { limit: HISTORY_PAGE_SIZE, updates: 'none', locale });
    } else {
      total = countHistory(db, filter);
      list = loadIncidents(db, where, { limit: HISTORY_PAGE_SIZE, offset, updates: 'none', locale });
    }
    const pageCount = Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE));
    const later = laterWindowCounts(db, list);
    const rows = attachPostmortems(list, postmortems).map((i) => ({
      ...i,
      laterInSeries: (i.seriesId && i.status === 'scheduled' && later.get(i.seriesId)) || 0,
    }));
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
    return { page, pageCount, total, filter, months };
  });
}

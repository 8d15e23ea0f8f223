import { readSnapshot, type Db } from '../../../db/open';
import { isPublicId } from '../ids';
import type { Locale } from '../i18n/messages';
import { groupByLocalDay } from '../time';
import { attachPostmortems, loadIncident, type IncidentView, type UpdateView } from '../incidents/load-incidents';
import type { PageScope } from '../pages/page-scope';

export interface IncidentPageView {
  incident: IncidentView;
  /** Updates grouped by local day, newest day and newest update first, as the status page's cards read. */
  days: { key: string; updates: UpdateView[] }[];
  /** From start to resolution, or to `now` while still open. */
  durationMs: number;
}

export function buildIncidentPageView(
  db: Db,
  id: string,
  now: number,
  timeZone: string,
  postmortems: ReadonlyMap<string, { slug: string; title: string }> = new Map(),
  locale?: Locale,
  page?: PageScope,
): IncidentPageView | undefined {
  return readSnapshot(db, () => {
    if (!isPublicId(id)) return undefined;
    // Another page's incident is not there for this page's readers.
    const incident = loadIncident(db, id, locale, page);
    if (!incident) return undefined;
    attachPostmortems([incident], postmortems);
    return {
      incident,
      days: groupByLocalDay([...incident.updates].reverse(), timeZone),
      durationMs: (incident.resolvedAt ?? now) - incident.startedAt,
    };
  });
}

import { readSnapshot, type Db } from '../../../db/open';
import { isPublicId } from '../ids';
import type { Locale } from '../i18n/messages';
import { localDateKey } from '../time';
import { attachPostmortems, loadIncident, type IncidentView, type UpdateView } from './incidents';

export interface IncidentPageView {
  incident: IncidentView;
  /** Updates grouped by local day, newest day and newest update first, as the status page's cards read. */
  days: { key: string; updates: UpdateView[] }[];
  /** From start to resolution, or to `now` while still open. */
  durationMs: number;
}

/** Groups timeline entries by their local calendar day, keeping their order. */
export function groupByLocalDay<T extends { displayAt: number }>(items: readonly T[], timeZone: string): { key: string; updates: T[] }[] {
  const days: { key: string; updates: T[] }[] = [];
  for (const item of items) {
    const key = localDateKey(item.displayAt, timeZone);
    const last = days[days.length - 1];
    if (last && last.key === key) last.updates.push(item);
    else days.push({ key, updates: [item] });
  }
  return days;
}

export function buildIncidentPageView(
  db: Db,
  id: string,
  now: number,
  timeZone: string,
  postmortems: ReadonlyMap<string, { slug: string; title: string }> = new Map(),
  locale?: Locale,
): IncidentPageView | undefined {
  return readSnapshot(db, () => {
    if (!isPublicId(id)) return undefined;
    const incident = loadIncident(db, id, locale);
    if (!incident) return undefined;
    attachPostmortems([incident], postmortems);
    return {
      incident,
      days: groupByLocalDay([...incident.updates].reverse(), timeZone),
      durationMs: (incident.resolvedAt ?? now) - incident.startedAt,
    };
  });
}

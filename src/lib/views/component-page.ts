import { eq, inArray } from 'drizzle-orm';
import { readSnapshot, type Db } from '../../../db/open';
import { incidentComponents, incidents } from '../../../db/schema';
import { isPublicId } from '../ids';
import type { Locale } from '../i18n/messages';
import { computeUptime } from '../status/uptime';
import { lastLocalDays, lastLocalMonths } from '../time';
import { loadComponentTree, loadStatusLedgers } from '../components/load-components';
import { attachPostmortems, loadIncidents, type IncidentView } from '../incidents/load-incidents';
import { countHistory } from './history-page';
import { loadWindowIncidents, UPTIME_DAYS, withComponentUptime, type ComponentWithUptime } from '../uptime/component-uptime';
import type { PageScope } from '../pages/page-scope';

const UPTIME_MONTHS = 12;
/** The newest incidents a component page lists; the rest are on its filtered history. */
const RECENT_INCIDENTS = 10;

interface MonthUptime {
  year: number;
  month: number;
  /** 0..1, or null when nothing in the month was measured (before the component existed, all maintenance). */
  uptime: number | null;
  downMs: number;
  maintenanceMs: number;
}

export interface ComponentPageView {
  component: ComponentWithUptime;
  group: { id: string; name: string } | null;
  /** The last UPTIME_MONTHS local months, newest first; this month so far. */
  months: MonthUptime[];
  /** Newest first: incidents and maintenance that named this component. */
  incidents: IncidentView[];
  incidentCount: number;
}

/**
 * Everything a component's public page shows at `now`: its status and
 * 90-day strip as the status page draws them, its uptime per calendar month
 * measured the same way, and the incidents that touched it. Undefined for an
 * unknown id and for an archived component (see the page for why).
 */
export function buildComponentPageView(
  db: Db,
  id: string,
  now: number,
  timeZone: string,
  postmortems: ReadonlyMap<string, { slug: string; title: string }>,
  locale?: Locale,
  page?: PageScope,
): ComponentPageView | undefined {
  if (!isPublicId(id)) return undefined;
  return readSnapshot(db, () => {
    // A component on another page only is not there for this page's readers.
    const tree = loadComponentTree(db, now, locale, page);
    const component = tree.all.find((c) => c.id === id);
    if (!component) return undefined;
    const group = tree.groups.find((g) => g.id === component.groupId);
    const days = lastLocalDays(now, UPTIME_DAYS, timeZone);
    const monthSpans = lastLocalMonths(now, UPTIME_MONTHS, timeZone);
    // The months reach further back than the days, so one ledger serves both.
    const ledgers = loadStatusLedgers(db, monthSpans[0]!.start);
    const monthly = computeUptime(ledgers.get(id) ?? [{ at: monthSpans[0]!.start, status: component.status }], monthSpans, component.createdAt, now);
    const touching = inArray(
      incidents.id,
      db.select({ id: incidentComponents.incidentId }).from(incidentComponents).where(eq(incidentComponents.componentId, id)),
    );
    return {
      component: withComponentUptime(component, ledgers, days, loadWindowIncidents(db, days[0]!.start, locale), now),
      group: group ? { id: group.id, name: group.name } : null,
      months: monthly.days
        .map((m, i) => ({
          year: Number(monthSpans[i]!.key.slice(0, 4)),
          month: Number(monthSpans[i]!.key.slice(5)),
          uptime: m.uptime,
          downMs: m.downMs,
          maintenanceMs: m.maintenanceMs,
        }))
        .reverse(),
      incidents: attachPostmortems(loadIncidents(db, touching, { limit: RECENT_INCIDENTS, updates: 'none', locale }), postmortems),
      incidentCount: countHistory(db, { componentId: id }),
    };
  });
}

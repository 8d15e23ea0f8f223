import { and, eq, gte, inArray, notInArray } from 'drizzle-orm';
import { readSnapshot, type Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { derivePageStatus, raisingImpact, type PageStatus } from '../status/rollup';
import { lastLocalDays, type LocalDay } from '../time';
import { loadComponentTree, loadStatusLedgers, type ComponentView, type GroupView } from '../components/load-components';
import { loadIncidents, type IncidentView } from '../incidents/load-incidents';
import { loadWindowIncidents, UPTIME_DAYS, withComponentUptime, type ComponentWithUptime } from '../uptime/component-uptime';
import type { Locale } from '../i18n/messages';
import { laterWindowCounts, notLaterSeriesWindow } from '../maintenance/series-windows';
import { isActiveMaintenanceStatus, isClosedStatus, OPEN_MAINTENANCE_STATUSES, UNRESOLVED_INCIDENT_STATUSES } from '../status/vocabulary';
import type { PageScope } from '../pages/page-scope';

const RECENT_DAYS = 14;

interface GroupWithUptime extends Omit<GroupView, 'components'> {
  components: ComponentWithUptime[];
}

export interface StatusPageView {
  generatedAt: number;
  pageStatus: PageStatus;
  groups: GroupWithUptime[];
  ungrouped: ComponentWithUptime[];
  activeIncidents: IncidentView[];
  activeMaintenances: IncidentView[];
  /** The next window of each repeating maintenance only, with how many more of its windows are planned. */
  upcomingMaintenances: (IncidentView & { laterInSeries: number })[];
  /** The last RECENT_DAYS local days, newest first, each with the incidents that started on it. */
  recentDays: { day: LocalDay; incidents: IncidentView[] }[];
}

/** Everything the public status page shows at `now`, in the page's time zone: of `page` when one is named. */
export function buildStatusPageView(db: Db, now: number, timeZone: string, locale?: Locale, page?: PageScope): StatusPageView {
  return readSnapshot(db, () => {
    const tree = loadComponentTree(db, now, locale, page);
    const uptimeDays = lastLocalDays(now, UPTIME_DAYS, timeZone);
    const recent = lastLocalDays(now, RECENT_DAYS, timeZone);
    const windowStart = uptimeDays[0]!.start;

    // Incidents that touched the 90-day window: started in it, or still open.
    const windowIncidents = loadWindowIncidents(db, windowStart, locale);

    const ledgers = loadStatusLedgers(db, windowStart);
    const withUptime = (c: ComponentView) => withComponentUptime(c, ledgers, uptimeDays, windowIncidents, now);
    const visible = (c: ComponentView) => !c.onlyShowIfDegraded || c.status !== 'operational';

    // Open and recent incidents show their latest update only (see IncidentCard).
    const activeIncidents = loadIncidents(db, and(eq(incidents.kind, 'incident'), inArray(incidents.status, UNRESOLVED_INCIDENT_STATUSES)), {
      locale,
      updates: 'latest',
      page,
    });
    const recentIncidents = loadIncidents(
      db,
      and(
        gte(incidents.startedAt, recent[0]!.start),
        notInArray(
          incidents.id,
          activeIncidents.map((i) => i.id),
        ),
      ),
      { locale, updates: 'latest', page },
    ).filter((i) => !(i.kind === 'maintenance' && !isClosedStatus(i.status)));

    // A repeating maintenance shows its next window and how many follow, not a year of identical cards.
    const maintenances = loadIncidents(
      db,
      and(eq(incidents.kind, 'maintenance'), inArray(incidents.status, OPEN_MAINTENANCE_STATUSES), notLaterSeriesWindow()),
      {
        newestFirst: false,
        locale,
        page,
      },
    );

    const laterInSeries = laterWindowCounts(db, maintenances);
    const statusNow = new Map(tree.all.map((c) => [c.id, c.status]));
    return {
      generatedAt: now,
      pageStatus: derivePageStatus(
        tree.all.map((c) => c.status),
        activeIncidents.map((i) => raisingImpact(i, statusNow)),
      ),
      groups: tree.groups.map((g) => ({ ...g, components: g.components.filter(visible).map(withUptime) })).filter((g) => g.components.length > 0),
      ungrouped: tree.ungrouped.filter(visible).map(withUptime),
      activeIncidents,
      activeMaintenances: maintenances.filter((m) => isActiveMaintenanceStatus(m.status)),
      upcomingMaintenances: maintenances
        .filter((m) => !isActiveMaintenanceStatus(m.status))
        .map((m) => ({ ...m, laterInSeries: (m.seriesId && laterInSeries.get(m.seriesId)) || 0 })),
      recentDays: [...recent].reverse().map((day) => ({
        day,
        incidents: recentIncidents.filter((i) => i.startedAt >= day.start && i.startedAt < day.end),
      })),
    };
  });
}

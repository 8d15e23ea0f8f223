import { and, eq, gte, inArray, isNull, or } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { derivePageStatus, type PageStatus } from '../status/rollup';
import { computeUptime, type DayUptime, type StatusChange } from '../status/uptime';
import { lastLocalDays, type LocalDay } from '../time';
import { loadComponentTree, loadStatusLedgers, type ComponentView, type GroupView } from './components';
import { loadIncidents, type IncidentView } from './incidents';
import type { Locale } from '../i18n/messages';

export const UPTIME_DAYS = 90;
export const RECENT_DAYS = 14;

export interface UptimeCell extends DayUptime {
  incidents: { id: string; name: string; impact: string }[];
}

export interface ComponentWithUptime extends ComponentView {
  uptime: { days: UptimeCell[]; overall: number | null };
}

export interface GroupWithUptime extends Omit<GroupView, 'components'> {
  components: ComponentWithUptime[];
}

export interface StatusPageView {
  generatedAt: number;
  pageStatus: PageStatus;
  groups: GroupWithUptime[];
  ungrouped: ComponentWithUptime[];
  activeIncidents: IncidentView[];
  activeMaintenances: IncidentView[];
  upcomingMaintenances: IncidentView[];
  /** The last RECENT_DAYS local days, newest first, each with the incidents that started on it. */
  recentDays: { day: LocalDay; incidents: IncidentView[] }[];
}

const OPEN_INCIDENT = ['investigating', 'identified', 'monitoring'];

/**
 * Incidents that touched a window starting at `windowStart`: started in it,
 * resolved in it, or still open. Without their timelines: the uptime strip
 * needs only names, times and components.
 */
export function loadWindowIncidents(db: Db, windowStart: number, locale?: Locale): IncidentView[] {
  return loadIncidents(db, or(gte(incidents.startedAt, windowStart), gte(incidents.resolvedAt, windowStart), isNull(incidents.resolvedAt)), {
    withUpdates: false,
    locale,
  });
}

/** A component's uptime per local day, each day with the incidents that touched the component then. */
export function withComponentUptime(
  c: ComponentView,
  ledgers: ReadonlyMap<string, StatusChange[]>,
  uptimeDays: readonly LocalDay[],
  windowIncidents: readonly IncidentView[],
  now: number,
): ComponentWithUptime {
  const ledger = ledgers.get(c.id) ?? [{ at: uptimeDays[0]!.start, status: c.status }];
  const summary = computeUptime(ledger, uptimeDays, c.createdAt, now);
  const touching = windowIncidents.filter((i) => i.kind === 'incident' && i.components.some((x) => x.id === c.id));
  return {
    ...c,
    uptime: {
      overall: summary.overall,
      days: summary.days.map((d) => ({
        ...d,
        incidents: touching
          .filter((i) => i.startedAt < d.end && (i.resolvedAt ?? now) >= d.start)
          .map((i) => ({ id: i.id, name: i.name, impact: i.impact })),
      })),
    },
  };
}

/** Everything the public status page shows at `now`, in the page's time zone. */
export function buildStatusPageView(db: Db, now: number, timeZone: string, locale?: Locale): StatusPageView {
  const tree = loadComponentTree(db, now, locale);
  const uptimeDays = lastLocalDays(now, UPTIME_DAYS, timeZone);
  const recent = lastLocalDays(now, RECENT_DAYS, timeZone);
  const windowStart = uptimeDays[0]!.start;

  // Incidents that touched the 90-day window: started in it, or still open.
  const windowIncidents = loadWindowIncidents(db, windowStart, locale);

  const ledgers = loadStatusLedgers(db, windowStart);
  const withUptime = (c: ComponentView) => withComponentUptime(c, ledgers, uptimeDays, windowIncidents, now);
  const visible = (c: ComponentView) => !c.onlyShowIfDegraded || c.status !== 'operational';

  const activeIncidents = loadIncidents(db, and(eq(incidents.kind, 'incident'), inArray(incidents.status, OPEN_INCIDENT)), { locale });
  const activeIds = new Set(activeIncidents.map((i) => i.id));
  const recentIncidents = loadIncidents(db, gte(incidents.startedAt, recent[0]!.start), { locale }).filter(
    (i) => !activeIds.has(i.id) && !(i.kind === 'maintenance' && i.status !== 'completed'),
  );

  const maintenances = loadIncidents(
    db,
    and(eq(incidents.kind, 'maintenance'), inArray(incidents.status, ['scheduled', 'in_progress', 'verifying'])),
    { newestFirst: false, locale },
  );

  return {
    generatedAt: now,
    pageStatus: derivePageStatus(
      tree.all.map((c) => c.status),
      activeIncidents.map((i) => i.impact),
    ),
    groups: tree.groups
      .map((g) => ({ ...g, components: g.components.filter(visible).map(withUptime) }))
      .filter((g) => g.components.length > 0),
    ungrouped: tree.ungrouped.filter(visible).map(withUptime),
    activeIncidents,
    activeMaintenances: maintenances.filter((m) => m.status !== 'scheduled'),
    upcomingMaintenances: maintenances.filter((m) => m.status === 'scheduled'),
    recentDays: [...recent].reverse().map((day) => ({
      day,
      incidents: recentIncidents.filter((i) => i.startedAt >= day.start && i.startedAt < day.end),
    })),
  };
}

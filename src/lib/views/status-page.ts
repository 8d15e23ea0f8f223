import { and, eq, gte, inArray, isNull, or } from 'drizzle-orm';
import { readSnapshot, type Db } from '../../../db/open';
import { incidentComponents, incidents } from '../../../db/schema';
import { derivePageStatus, type PageStatus } from '../status/rollup';
import { computeUptime, type DayUptime, type StatusChange } from '../status/uptime';
import { lastLocalDays, type LocalDay } from '../time';
import { loadComponentTree, loadStatusLedgers, type ComponentView, type GroupView } from './components';
import { loadIncidents, type IncidentView } from './incidents';
import type { Locale } from '../i18n/messages';
import { parseTranslations, translated } from '../i18n/translations';
import { isActiveMaintenanceStatus, isClosedStatus, OPEN_MAINTENANCE_STATUSES, UNRESOLVED_INCIDENT_STATUSES } from '../status/vocabulary';

export const UPTIME_DAYS = 90;
const RECENT_DAYS = 14;

export interface UptimeCell extends DayUptime {
  incidents: { id: string; name: string; impact: string }[];
}

export interface ComponentWithUptime extends ComponentView {
  uptime: { days: UptimeCell[]; overall: number | null };
}

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

/** What a day cell says of an incident that touched it. */
export interface WindowIncident {
  id: string;
  name: string;
  impact: string;
  startedAt: number;
  resolvedAt: number | null;
}

/**
 * Incidents (not maintenance) that touched a window starting at
 * `windowStart`, by component: started in it, resolved in it, or still open.
 * One lean query: the strip needs only names, times and components, and on a
 * long history hundreds of incidents fall in the window.
 */
export function loadWindowIncidents(db: Db, windowStart: number, locale?: Locale): Map<string, WindowIncident[]> {
  // Maintenance is told apart here rather than in SQL: asked for the kind too,
  // SQLite walks every incident of that kind instead of the three time ranges.
  const rows = db
    .select({
      id: incidents.id,
      kind: incidents.kind,
      name: incidents.name,
      translations: incidents.translations,
      impact: incidents.impact,
      startedAt: incidents.startedAt,
      resolvedAt: incidents.resolvedAt,
    })
    .from(incidents)
    .where(or(gte(incidents.startedAt, windowStart), gte(incidents.resolvedAt, windowStart), isNull(incidents.resolvedAt)))
    .all()
    .filter((r) => r.kind === 'incident')
    // Newest first, as the incident lists are.
    .sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1));
  const byComponent = new Map<string, WindowIncident[]>();
  if (rows.length === 0) return byComponent;
  const byId = new Map(rows.map((r) => [r.id, { id: r.id, name: translated(parseTranslations(r.translations), locale, 'name', r.name), impact: r.impact, startedAt: r.startedAt, resolvedAt: r.resolvedAt }]));
  const links = db
    .select({ incidentId: incidentComponents.incidentId, componentId: incidentComponents.componentId })
    .from(incidentComponents)
    .where(inArray(incidentComponents.incidentId, [...byId.keys()]))
    .all();
  const linked = new Map<string, Set<string>>();
  for (const l of links) {
    const set = linked.get(l.componentId) ?? new Set<string>();
    set.add(l.incidentId);
    linked.set(l.componentId, set);
  }
  for (const [componentId, ids] of linked) byComponent.set(componentId, rows.filter((r) => ids.has(r.id)).map((r) => byId.get(r.id)!));
  return byComponent;
}

/** A component's uptime per local day, each day with the incidents that touched the component then. */
export function withComponentUptime(
  c: ComponentView,
  ledgers: ReadonlyMap<string, StatusChange[]>,
  uptimeDays: readonly LocalDay[],
  windowIncidents: ReadonlyMap<string, readonly WindowIncident[]>,
  now: number,
): ComponentWithUptime {
  const ledger = ledgers.get(c.id) ?? [{ at: uptimeDays[0]!.start, status: c.status }];
  const summary = computeUptime(ledger, uptimeDays, c.createdAt, now);
  const touching = windowIncidents.get(c.id) ?? [];
  // Most components have a quiet window: their days share one empty list.
  const none: UptimeCell['incidents'] = [];
  return {
    ...c,
    uptime: {
      overall: summary.overall,
      // Spelled out rather than spread: this runs for every day of every component.
      days: summary.days.map((d) => {
        let list = none;
        for (const i of touching) {
          if (i.startedAt >= d.end || (i.resolvedAt ?? now) < d.start) continue;
          if (list === none) list = [];
          list.push({ id: i.id, name: i.name, impact: i.impact });
        }
        return { key: d.key, start: d.start, end: d.end, uptime: d.uptime, downMs: d.downMs, measuredMs: d.measuredMs, worst: d.worst, maintenanceMs: d.maintenanceMs, incidents: list };
      }),
    },
  };
}

/** Everything the public status page shows at `now`, in the page's time zone. */
export function buildStatusPageView(db: Db, now: number, timeZone: string, locale?: Locale): StatusPageView {
  return readSnapshot(db, () => {
    const tree = loadComponentTree(db, now, locale);
    const uptimeDays = lastLocalDays(now, UPTIME_DAYS, timeZone);
    const recent = lastLocalDays(now, RECENT_DAYS, timeZone);
    const windowStart = uptimeDays[0]!.start;

    // Incidents that touched the 90-day window: started in it, or still open.
    const windowIncidents = loadWindowIncidents(db, windowStart, locale);

    const ledgers = loadStatusLedgers(db, windowStart);
    const withUptime = (c: ComponentView) => withComponentUptime(c, ledgers, uptimeDays, windowIncidents, now);
    const visible = (c: ComponentView) => !c.onlyShowIfDegraded || c.status !== 'operational';

    const activeIncidents = loadIncidents(db, and(eq(incidents.kind, 'incident'), inArray(incidents.status, UNRESOLVED_INCIDENT_STATUSES)), { locale });
    const activeIds = new Set(activeIncidents.map((i) => i.id));
    const recentIncidents = loadIncidents(db, gte(incidents.startedAt, recent[0]!.start), { locale }).filter(
      (i) => !activeIds.has(i.id) && !(i.kind === 'maintenance' && !isClosedStatus(i.status)),
    );

    const maintenances = loadIncidents(
      db,
      and(eq(incidents.kind, 'maintenance'), inArray(incidents.status, OPEN_MAINTENANCE_STATUSES)),
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
      activeMaintenances: maintenances.filter((m) => isActiveMaintenanceStatus(m.status)),
      upcomingMaintenances: nextOfEachSeries(maintenances.filter((m) => !isActiveMaintenanceStatus(m.status))),
      recentDays: [...recent].reverse().map((day) => ({
        day,
        incidents: recentIncidents.filter((i) => i.startedAt >= day.start && i.startedAt < day.end),
      })),
    };
  });
}

/**
 * Upcoming windows as a reader wants them listed: a weekly maintenance shows
 * its next window and how many follow, not a year of identical cards. The
 * windows come earliest first.
 */
function nextOfEachSeries(upcoming: IncidentView[]): (IncidentView & { laterInSeries: number })[] {
  const shown: (IncidentView & { laterInSeries: number })[] = [];
  const bySeries = new Map<string, IncidentView & { laterInSeries: number }>();
  for (const window of upcoming) {
    const first = window.seriesId ? bySeries.get(window.seriesId) : undefined;
    if (first) {
      first.laterInSeries++;
      continue;
    }
    const card = { ...window, laterInSeries: 0 };
    if (window.seriesId) bySeries.set(window.seriesId, card);
    shown.push(card);
  }
  return shown;
}

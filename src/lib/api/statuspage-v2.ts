// The public JSON API as Statuspage's v2 shapes: a projection of the same
// views the HTML pages use, so both always agree.
import { and, eq, inArray } from 'drizzle-orm';
import { readSnapshot, type Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import type { Config } from '../config';
import { derivePageStatus, raisingImpact } from '../status/rollup';
import { lastLocalDays, localDateKey } from '../time';
import { DOWNTIME_WEIGHTS } from '../status/uptime';
import { loadSlaTargets, targetFor } from '../uptime/sla-targets';
import type { PeriodFigures, UptimeReport } from '../uptime/uptime-report';
import { loadWindowIncidents, UPTIME_DAYS, withComponentUptime } from '../uptime/component-uptime';
import { readPageId } from '../site/page-identity';
import { loadComponentTree, loadStatusLedgers, statusChangeTimes, type ComponentTree } from '../components/load-components';
import { siteChangedAt } from '../site/change-counter';
import { attachPostmortems, loadIncidents, type IncidentView, type UpdateView } from '../incidents/load-incidents';
import { loadPostmortems, postmortemFor } from '../postmortems/load-postmortems';
import type { ComponentStatus } from '../status/vocabulary';
import {
  ACTIVE_MAINTENANCE_STATUSES,
  OPEN_MAINTENANCE_STATUSES,
  UNRESOLVED_INCIDENT_STATUSES,
  UPCOMING_MAINTENANCE_STATUSES,
  type UpdateStatus,
} from '../status/vocabulary';
import type { PageScope } from '../pages/page-scope';

const API_LIST_CAP = 50;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

interface ApiContext {
  db: Db;
  config: Config;
  now: number;
  /** The status page answered for: its components and incidents only. */
  page?: PageScope;
}

export interface ApiComponent {
  id: string;
  name: string;
  status: ComponentStatus;
  created_at: string;
  updated_at: string;
  position: number;
  description: string | null;
  showcase: boolean;
  start_date: string | null;
  group_id: string | null;
  page_id: string;
  group: boolean;
  only_show_if_degraded: boolean;
  components?: string[];
}

// page.updated_at is the same on every endpoint at one moment and never
// goes back (clients poll it to learn whether anything changed), so it is
// the site's last change, not the latest of what one endpoint lists.
/** The page id Statuspage clients see: the install's own for the default page, each other page's for itself. */
function statuspagePageId(ctx: ApiContext): string {
  return ctx.page && !ctx.page.isDefault ? ctx.page.id : (readPageId(ctx.db) ?? '');
}

function pageObject(ctx: ApiContext) {
  return {
    id: statuspagePageId(ctx),
    name: ctx.config.siteName,
    url: ctx.config.siteUrl,
    time_zone: ctx.config.timeZone,
    updated_at: iso(siteChangedAt(ctx.db)),
  };
}

function componentObjects(ctx: ApiContext, tree: ComponentTree): ApiComponent[] {
  const pageId = statuspagePageId(ctx);
  const out: ApiComponent[] = [];
  // A component's updated_at is its last change of any kind: an edit, or its status.
  const statusTimes = statusChangeTimes(ctx.db, ctx.now);
  const changed = (c: ComponentTree['all'][number]) => Math.max(c.updatedAt, statusTimes.get(c.id) ?? 0);
  const leaf = (c: ComponentTree['all'][number]): ApiComponent => ({
    id: c.id,
    name: c.name,
    status: c.status,
    created_at: iso(c.createdAt)!,
    updated_at: iso(changed(c))!,
    position: c.position,
    description: c.description,
    showcase: true,
    start_date: localDateKey(c.createdAt, ctx.config.timeZone),
    group_id: c.groupId,
    page_id: pageId,
    group: false,
    only_show_if_degraded: c.onlyShowIfDegraded,
  });
  for (const g of tree.groups) {
    out.push({
      id: g.id,
      name: g.name,
      status: g.status,
      created_at: iso(g.createdAt)!,
      updated_at: iso(Math.max(g.updatedAt, ...g.components.map(changed)))!,
      position: g.position,
      description: g.description,
      showcase: false,
      start_date: null,
      group_id: null,
      page_id: pageId,
      group: true,
      only_show_if_degraded: false,
      components: g.components.map((c) => c.id),
    });
    out.push(...g.components.map(leaf));
  }
  out.push(...tree.ungrouped.map(leaf));
  // Statuspage lists by position, which restarts inside each group; a stable
  // sort keeps each group's children in order after their group.
  return out.sort((a, b) => a.position - b.position);
}

function updateObject(incidentId: string, u: UpdateView) {
  return {
    id: u.id,
    status: u.status,
    body: u.body,
    incident_id: incidentId,
    created_at: iso(u.createdAt),
    updated_at: iso(u.updatedAt),
    display_at: iso(u.displayAt),
    affected_components:
      u.changes.length === 0 ? null : u.changes.map((c) => ({ code: c.componentId, name: c.name, old_status: c.oldStatus, new_status: c.newStatus })),
    deliver_notifications: u.notify,
    custom_tweet: null,
    tweet_id: null,
  };
}

export function incidentObject(ctx: ApiContext, i: IncidentView, components: ApiComponent[]) {
  const pageId = statuspagePageId(ctx);
  const base = {
    id: i.id,
    name: i.name,
    status: i.status,
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    monitoring_at: iso(i.monitoringAt),
    resolved_at: iso(i.resolvedAt),
    impact: i.impact,
    shortlink: `${ctx.config.siteUrl}/incidents/${i.id}`,
    started_at: iso(i.startedAt),
    page_id: pageId,
    // Newest first, as Statuspage lists them.
    incident_updates: [...i.updates].reverse().map((u) => updateObject(i.id, u)),
    components: i.components.map((c) => components.find((x) => x.id === c.id)).filter((c): c is ApiComponent => c !== undefined),
    reminder_intervals: null,
  };
  if (i.kind !== 'maintenance') return base;
  return { ...base, scheduled_for: iso(i.scheduledFor), scheduled_until: iso(i.scheduledUntil) };
}

function load(ctx: ApiContext) {
  const tree = loadComponentTree(ctx.db, ctx.now, undefined, ctx.page);
  const components = componentObjects(ctx, tree);
  return { tree, components };
}

/**
 * The newest incidents or maintenance of a kind, at most API_LIST_CAP. Lists
 * of open ones are short by nature and are capped after loading, which lets
 * SQLite find them by status (see loadIncidents).
 */
function listOfKind(ctx: ApiContext, kind: 'incident' | 'maintenance', statuses?: readonly UpdateStatus[]): IncidentView[] {
  if (!statuses) return loadIncidents(ctx.db, eq(incidents.kind, kind), { limit: API_LIST_CAP, page: ctx.page });
  return loadIncidents(ctx.db, and(eq(incidents.kind, kind), inArray(incidents.status, statuses)), { page: ctx.page }).slice(0, API_LIST_CAP);
}

function incidentList(ctx: ApiContext, statuses?: readonly UpdateStatus[]) {
  const list = listOfKind(ctx, 'incident', statuses);
  return attachPostmortems(list, postmortemFor(loadPostmortems(ctx.config.postmortems), ctx.config.defaultLocale));
}

function maintenanceList(ctx: ApiContext, statuses?: readonly UpdateStatus[]) {
  const list = listOfKind(ctx, 'maintenance', statuses);
  // Newest first by the window they announce, not by when they were written.
  return list.sort((a, b) => (b.scheduledFor ?? b.startedAt) - (a.scheduledFor ?? a.startedAt));
}

function statusObject(tree: ComponentTree, unresolved: IncidentView[]) {
  const statusNow = new Map(tree.all.map((c) => [c.id, c.status]));
  return derivePageStatus(
    tree.all.map((c) => c.status),
    unresolved.map((i) => raisingImpact(i, statusNow)),
  );
}

export function summaryJson(ctx: ApiContext) {
  return readSnapshot(ctx.db, () => {
    const { tree, components } = load(ctx);
    const unresolved = incidentList(ctx, UNRESOLVED_INCIDENT_STATUSES);
    const maintenances = maintenanceList(ctx, OPEN_MAINTENANCE_STATUSES);
    return {
      page: pageObject(ctx),
      components,
      incidents: unresolved.map((i) => incidentObject(ctx, i, components)),
      scheduled_maintenances: maintenances.map((i) => incidentObject(ctx, i, components)),
      status: statusObject(tree, unresolved),
    };
  });
}

export function statusJson(ctx: ApiContext) {
  return readSnapshot(ctx.db, () => {
    const { tree } = load(ctx);
    const unresolved = incidentList(ctx, UNRESOLVED_INCIDENT_STATUSES);
    return { page: pageObject(ctx), status: statusObject(tree, unresolved) };
  });
}

/** The API objects of some components only (and their groups): an incident's, for the write API's answer. */
export function componentsNamed(ctx: ApiContext, ids: readonly string[]): ApiComponent[] {
  return componentObjects(ctx, loadComponentTree(ctx.db, ctx.now, undefined, { componentIds: new Set(ids) }));
}

export function componentsJson(ctx: ApiContext) {
  return readSnapshot(ctx.db, () => {
    const { components } = load(ctx);
    return { page: pageObject(ctx), components };
  });
}

export function incidentsJson(ctx: ApiContext, which: 'all' | 'unresolved') {
  return readSnapshot(ctx.db, () => {
    const { components } = load(ctx);
    const list = incidentList(ctx, which === 'all' ? undefined : UNRESOLVED_INCIDENT_STATUSES);
    return { page: pageObject(ctx), incidents: list.map((i) => incidentObject(ctx, i, components)) };
  });
}

export function scheduledMaintenancesJson(ctx: ApiContext, which: 'all' | 'upcoming' | 'active') {
  return readSnapshot(ctx.db, () => {
    const { components } = load(ctx);
    const statuses = which === 'all' ? undefined : which === 'upcoming' ? UPCOMING_MAINTENANCE_STATUSES : ACTIVE_MAINTENANCE_STATUSES;
    const list = maintenanceList(ctx, statuses);
    return { page: pageObject(ctx), scheduled_maintenances: list.map((i) => incidentObject(ctx, i, components)) };
  });
}

/** Beyond Statuspage: uptime per component per local day over the strip's window. */
export function uptimeJson(ctx: ApiContext) {
  return readSnapshot(ctx.db, () => {
    const { tree } = load(ctx);
    const days = lastLocalDays(ctx.now, UPTIME_DAYS, ctx.config.timeZone);
    const windowIncidents = loadWindowIncidents(ctx.db, days[0]!.start);
    const ledgers = loadStatusLedgers(ctx.db, days[0]!.start);
    const targets = loadSlaTargets(ctx.db);
    return {
      page: pageObject(ctx),
      time_zone: ctx.config.timeZone,
      formula: {
        major_outage: DOWNTIME_WEIGHTS.major_outage,
        partial_outage: DOWNTIME_WEIGHTS.partial_outage,
        degraded_performance: DOWNTIME_WEIGHTS.degraded_performance,
        under_maintenance: 'excluded from measured time',
      },
      components: tree.all.map((c) => {
        const u = withComponentUptime(c, ledgers, days, windowIncidents, ctx.now);
        return {
          id: c.id,
          name: c.name,
          target: targetFor(targets, c.id),
          uptime: u.uptime.overall,
          days: u.uptime.days.map((d) => ({
            date: d.key,
            uptime: d.uptime,
            down_seconds: Math.round(d.downMs / 1000),
            maintenance_seconds: Math.round(d.maintenanceMs / 1000),
            worst_status: d.worst,
            incidents: d.incidents.map((i) => i.id),
          })),
        };
      }),
    };
  });
}

const seconds = (ms: number) => Math.round(ms / 1000);

function figuresJson(f: PeriodFigures) {
  return {
    uptime: f.uptime,
    measured_seconds: seconds(f.measuredMs),
    down_seconds: seconds(f.downMs),
    maintenance_seconds: seconds(f.maintenanceMs),
    target: f.target,
    breached: f.breached,
    over_target_seconds: seconds(f.overMs),
    corrected: f.corrected,
  };
}

/**
 * `/api/v2/uptime.json?from=…&to=…`: the uptime report for a range, as
 * /uptime and /uptime.csv show it: totals, months (cut to the range) and,
 * for ranges up to MAX_CALENDAR_DAYS, days.
 */
export function uptimeReportJson(ctx: ApiContext, report: UptimeReport) {
  return {
    // Asked for one component, the page's own figures would be that component's: they are left out.
    page: { ...pageObject(ctx), ...(report.filtered ? {} : figuresJson(report.page.total)) },
    time_zone: report.timeZone,
    range: { from: report.range.from, to: report.range.to, start: iso(report.range.start), end: iso(report.range.end) },
    formula: {
      major_outage: DOWNTIME_WEIGHTS.major_outage,
      partial_outage: DOWNTIME_WEIGHTS.partial_outage,
      degraded_performance: DOWNTIME_WEIGHTS.degraded_performance,
      under_maintenance: 'excluded from measured time',
    },
    components: report.components.map((c) => ({
      id: c.id,
      name: c.name,
      ...figuresJson(c.total),
      months: c.months.map((m) => ({ month: m.key, ...figuresJson(m) })),
      ...(report.withDays ? { days: c.months.flatMap((m) => (m.days ?? []).map((d) => ({ date: d.key, ...figuresJson(d) }))) } : {}),
    })),
  };
}

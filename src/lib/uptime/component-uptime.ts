// Each component's uptime per local day over the status page's window, with
// the incidents that touched it: shared by the status page, a component's own
// page and the Statuspage-compatible API, so all three count the same days.
import { gte, inArray, isNull, or } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidentComponents, incidents } from '../../../db/schema';
import { computeUptime, type DayUptime, type StatusChange } from '../status/uptime';
import type { LocalDay } from '../time';
import type { ComponentView } from '../components/load-components';
import type { Locale } from '../i18n/messages';
import { parseTranslations, translated } from '../i18n/translations';

export const UPTIME_DAYS = 90;
/**
 * The days a phone shows of each strip on the status page, in one row, as
 * Statuspage does. The styles hide the older days (`.uptime-short` in
 * public/styles.css counts the same number), so every width gets one page.
 */
export const NARROW_UPTIME_DAYS = 30;
export interface UptimeCell extends DayUptime {
  incidents: { id: string; name: string; impact: string }[];
}

export interface ComponentWithUptime extends ComponentView {
  uptime: { days: UptimeCell[]; overall: number | null };
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
  const byId = new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        name: translated(parseTranslations(r.translations), locale, 'name', r.name),
        impact: r.impact,
        startedAt: r.startedAt,
        resolvedAt: r.resolvedAt,
      },
    ]),
  );
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
  for (const [componentId, ids] of linked)
    byComponent.set(
      componentId,
      rows.filter((r) => ids.has(r.id)).map((r) => byId.get(r.id)!),
    );
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
        return {
          key: d.key,
          start: d.start,
          end: d.end,
          uptime: d.uptime,
          downMs: d.downMs,
          measuredMs: d.measuredMs,
          worst: d.worst,
          maintenanceMs: d.maintenanceMs,
          incidents: list,
        };
      }),
    },
  };
}

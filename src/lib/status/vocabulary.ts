// The status words of the Statuspage v2 vocabulary and what can be said of
// them. The word lists are spelled once, in db/vocabulary.ts (the schema needs
// them and db/ imports nothing from src/lib); this module names their types and
// groupings. Free of drizzle and node imports so browser code and templates can
// share it.
import {
  ALERT_OPENING_STATUSES,
  ALERT_RECOVERY_STATUSES,
  COMPONENT_STATUSES,
  IMPACTS,
  INCIDENT_IMPACTS,
  INCIDENT_KINDS,
  INCIDENT_STATUSES,
  MAINTENANCE_STATUSES,
  STATUS_CAUSES,
} from '../../../db/vocabulary';

export { ALERT_OPENING_STATUSES, ALERT_RECOVERY_STATUSES, COMPONENT_STATUSES, IMPACTS, INCIDENT_IMPACTS, INCIDENT_STATUSES, MAINTENANCE_STATUSES };

export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export type MaintenanceStatus = (typeof MAINTENANCE_STATUSES)[number];
export type UpdateStatus = IncidentStatus | MaintenanceStatus;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];
export type Impact = (typeof IMPACTS)[number];

export type Indicator = 'none' | 'minor' | 'major' | 'critical' | 'maintenance';

export type StatusCause = (typeof STATUS_CAUSES)[number];

/** Severity order used to pick "the worst" of several component statuses. */
const COMPONENT_SEVERITY: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

export function worstComponentStatus(statuses: readonly ComponentStatus[]): ComponentStatus {
  let worst: ComponentStatus = 'operational';
  for (const s of statuses) if (COMPONENT_SEVERITY[s] > COMPONENT_SEVERITY[worst]) worst = s;
  return worst;
}

const IMPACT_SEVERITY: Record<Exclude<Impact, 'maintenance'>, number> = { none: 0, minor: 1, major: 2, critical: 3 };

export function impactSeverity(impact: Impact): number {
  return impact === 'maintenance' ? 0 : IMPACT_SEVERITY[impact];
}

/** Default impact of an incident: the worst status among its affected components. */
export function impactFromComponentStatuses(statuses: readonly ComponentStatus[]): Impact {
  switch (worstComponentStatus(statuses)) {
    case 'major_outage':
      return 'critical';
    case 'partial_outage':
      return 'major';
    case 'degraded_performance':
      return 'minor';
    default:
      return 'none';
  }
}

// Groupings of the status words. Every query, filter and form that means
// "still open" or "statuses staff may post" asks these instead of spelling
// the words out, so a new status changes one place.

/** Incident statuses of an incident that is not resolved yet. */
export const UNRESOLVED_INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring'] as const satisfies readonly IncidentStatus[];
/** What staff may post on an incident (`postmortem` is shown, never posted). */
export const POSTABLE_INCIDENT_STATUSES = [...UNRESOLVED_INCIDENT_STATUSES, 'resolved'] as const satisfies readonly IncidentStatus[];
/** Maintenance not completed yet: upcoming or under way. */
export const OPEN_MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'verifying'] as const satisfies readonly MaintenanceStatus[];
/** Maintenance under way. */
export const ACTIVE_MAINTENANCE_STATUSES = ['in_progress', 'verifying'] as const satisfies readonly MaintenanceStatus[];
export const UPCOMING_MAINTENANCE_STATUSES = ['scheduled'] as const satisfies readonly MaintenanceStatus[];
/** Statuses after which an incident or maintenance is no longer active. */
const CLOSED_STATUSES = ['resolved', 'postmortem', 'completed'] as const satisfies readonly UpdateStatus[];
/** Every status a template or an update may carry. */
export const POSTABLE_STATUSES = [...POSTABLE_INCIDENT_STATUSES, ...MAINTENANCE_STATUSES] as const;

/** Incidents and maintenance still open (Cachet's `unresolved()`): both kinds. */
export function unresolved(): UpdateStatus[] {
  return [...UNRESOLVED_INCIDENT_STATUSES, ...OPEN_MAINTENANCE_STATUSES];
}

export function isClosedStatus(s: string): boolean {
  return (CLOSED_STATUSES as readonly string[]).includes(s);
}

/** The statuses staff may post on an incident or maintenance of this kind. */
export function postableStatuses(kind: IncidentKind): readonly UpdateStatus[] {
  return kind === 'maintenance' ? MAINTENANCE_STATUSES : POSTABLE_INCIDENT_STATUSES;
}

export function isPostableStatus(kind: IncidentKind, s: string): s is UpdateStatus {
  return (postableStatuses(kind) as readonly string[]).includes(s);
}

/** The status that closes an incident or maintenance of this kind. */
export function closingStatus(kind: IncidentKind): 'resolved' | 'completed' {
  return kind === 'maintenance' ? 'completed' : 'resolved';
}

export function isActiveMaintenanceStatus(s: string): boolean {
  return (ACTIVE_MAINTENANCE_STATUSES as readonly string[]).includes(s);
}

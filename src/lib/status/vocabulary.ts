// The status words of the Statuspage v2 vocabulary, kept free of drizzle and node
// imports so browser code and templates can share them.

export const COMPONENT_STATUSES = [
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;
export type MaintenanceStatus = (typeof MAINTENANCE_STATUSES)[number];

export type UpdateStatus = IncidentStatus | MaintenanceStatus;

export type IncidentKind = 'incident' | 'maintenance';

export const IMPACTS = ['none', 'minor', 'major', 'critical', 'maintenance'] as const;
export type Impact = (typeof IMPACTS)[number];

export type Indicator = 'none' | 'minor' | 'major' | 'critical' | 'maintenance';

export type StatusCause = 'incident_update' | 'maintenance' | 'manual';

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

export function isMaintenanceStatus(s: string): s is MaintenanceStatus {
  return (MAINTENANCE_STATUSES as readonly string[]).includes(s);
}

export function isIncidentStatus(s: string): s is IncidentStatus {
  return (INCIDENT_STATUSES as readonly string[]).includes(s);
}

export function isComponentStatus(s: string): s is ComponentStatus {
  return (COMPONENT_STATUSES as readonly string[]).includes(s);
}

/** Statuses after which an incident or maintenance is no longer active. */
export function isClosedStatus(s: UpdateStatus): boolean {
  return s === 'resolved' || s === 'postmortem' || s === 'completed';
}

import { impactFromComponentStatuses, impactSeverity, type ComponentStatus, type Impact, type Indicator } from './vocabulary';

const PAGE_DESCRIPTIONS = {
  allOperational: 'All Systems Operational',
  partiallyDegraded: 'Partially Degraded Service',
  degradedSystem: 'Degraded System Service',
  minorOutage: 'Minor Service Outage',
  partialOutage: 'Partial System Outage',
  majorOutage: 'Major System Outage',
  maintenance: 'Service Under Maintenance',
} as const;
type PageDescription = (typeof PAGE_DESCRIPTIONS)[keyof typeof PAGE_DESCRIPTIONS];

export interface PageStatus {
  indicator: Indicator;
  description: PageDescription;
}

const D = PAGE_DESCRIPTIONS;

function fromSingle(status: ComponentStatus): PageStatus {
  switch (status) {
    case 'under_maintenance':
      return { indicator: 'maintenance', description: D.maintenance };
    case 'degraded_performance':
      return { indicator: 'minor', description: D.partiallyDegraded };
    case 'partial_outage':
      return { indicator: 'major', description: D.partialOutage };
    case 'major_outage':
      return { indicator: 'critical', description: D.majorOutage };
    default:
      return { indicator: 'none', description: D.allOperational };
  }
}

function fromSeveral(statuses: readonly ComponentStatus[]): PageStatus {
  const all = (s: ComponentStatus) => statuses.every((x) => x === s);
  const any = (s: ComponentStatus) => statuses.some((x) => x === s);
  if (all('major_outage')) return { indicator: 'critical', description: D.majorOutage };
  if (any('major_outage')) return { indicator: 'major', description: D.partialOutage };
  if (all('partial_outage')) return { indicator: 'major', description: D.partialOutage };
  if (any('partial_outage')) return { indicator: 'minor', description: D.minorOutage };
  if (all('degraded_performance')) return { indicator: 'minor', description: D.degradedSystem };
  if (any('degraded_performance')) return { indicator: 'minor', description: D.partiallyDegraded };
  if (any('under_maintenance')) return { indicator: 'maintenance', description: D.maintenance };
  return { indicator: 'none', description: D.allOperational };
}

const INDICATOR_RANK: Record<Indicator, number> = { none: 0, maintenance: 0.5, minor: 1, major: 2, critical: 3 };

function fromImpact(impact: Impact): PageStatus | null {
  switch (impact) {
    case 'minor':
      return { indicator: 'minor', description: D.minorOutage };
    case 'major':
      return { indicator: 'major', description: D.partialOutage };
    case 'critical':
      return { indicator: 'critical', description: D.majorOutage };
    default:
      return null;
  }
}

/**
 * What an open incident adds to the page's status beyond the blend of its
 * components: the impact staff set on it, or else the impact its components
 * have now. The impact worked out when it was written is the worst the
 * incident ever did to them, which is its record; once the web app and API
 * are back, the page says so, even while the incident stays open in Monitoring.
 */
export function raisingImpact(
  incident: { impact: Impact; impactOverride: boolean; components: readonly { id: string }[] },
  statusNow: ReadonlyMap<string, ComponentStatus>,
): Impact {
  if (incident.impactOverride) return incident.impact;
  return impactFromComponentStatuses(incident.components.flatMap((c) => statusNow.get(c.id) ?? []));
}

/**
 * The page's top-level status, following Statuspage's published rules: leaf
 * components only (callers leave group rows out), a single component maps
 * directly, several components take the first matching blend rule, and an
 * unresolved incident raises the result to its impact when that is worse.
 */
export function derivePageStatus(leafStatuses: readonly ComponentStatus[], unresolvedIncidentImpacts: readonly Impact[] = []): PageStatus {
  let result: PageStatus =
    leafStatuses.length === 0
      ? { indicator: 'none', description: D.allOperational }
      : leafStatuses.length === 1
        ? fromSingle(leafStatuses[0]!)
        : fromSeveral(leafStatuses);

  let worstImpact: Impact = 'none';
  for (const impact of unresolvedIncidentImpacts) {
    if (impactSeverity(impact) > impactSeverity(worstImpact)) worstImpact = impact;
  }
  const raised = fromImpact(worstImpact);
  if (raised && INDICATOR_RANK[raised.indicator] > INDICATOR_RANK[result.indicator]) result = raised;
  return result;
}

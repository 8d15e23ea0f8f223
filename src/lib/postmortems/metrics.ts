import type { IncidentView, UpdateView } from '../incidents/load-incidents';

export interface IncidentMetric {
  key: 'detect' | 'identify' | 'recover';
  /** Milliseconds from the start of impact, or null when the log has no such moment. */
  ms: number | null;
  /** The update the metric ends at, for linking. */
  endsAt: number | null;
}

/** What the metrics read from an incident: its times and its updates, oldest first. */
export type MeasuredIncident = Pick<IncidentView, 'startedAt' | 'resolvedAt'> & { updates: readonly Pick<UpdateView, 'status' | 'displayAt'>[] };

/**
 * The response metrics, each measured from the start of impact to a named
 * moment in the log: detect to the first update, identify to the first update
 * marked identified, recover to resolution.
 */
export function incidentMetrics(incident: MeasuredIncident): IncidentMetric[] {
  const first = incident.updates[0]?.displayAt ?? null;
  const identified = incident.updates.find((u) => u.status === 'identified')?.displayAt ?? null;
  const resolved = incident.resolvedAt;
  const from = (t: number | null) => (t === null ? null : Math.max(0, t - incident.startedAt));
  return [
    { key: 'detect', ms: from(first), endsAt: first },
    { key: 'identify', ms: from(identified), endsAt: identified },
    { key: 'recover', ms: from(resolved), endsAt: resolved },
  ];
}

import { isClosedStatus, type UpdateStatus } from './vocabulary';

export interface TimelineEntry {
  id: string;
  status: UpdateStatus;
  displayAt: number;
  /** Insertion order; breaks ties between entries shown at the same time. */
  seq: number;
}

/** Orders updates by display time, then by insertion order: oldest first. */
export function compareTimeline(a: TimelineEntry, b: TimelineEntry): number {
  return a.displayAt - b.displayAt || a.seq - b.seq;
}

export interface DerivedIncidentTimes {
  status: UpdateStatus;
  startedAt: number;
  monitoringAt: number | null;
  resolvedAt: number | null;
}

/**
 * Everything about an incident's progress that follows from its log. Its
 * status is the latest update's by display time, ties broken by insertion
 * order, so a back-dated update never overrides one shown later. The
 * impact may have begun before the first update (staff can declare when);
 * monitoring and resolution times are the first updates in those states, and
 * only count while the incident is in or past them.
 */
export function deriveIncidentTimes(updates: readonly TimelineEntry[], declaredStart: number | null, createdAt: number): DerivedIncidentTimes {
  const ordered = [...updates].sort(compareTimeline);
  const latest = ordered[ordered.length - 1];
  const status: UpdateStatus = latest ? latest.status : 'investigating';
  const closed = isClosedStatus(status);
  const firstIn = (...s: UpdateStatus[]) => ordered.find((u) => s.includes(u.status))?.displayAt ?? null;
  return {
    status,
    startedAt: Math.min(declaredStart ?? Infinity, ordered[0]?.displayAt ?? createdAt),
    monitoringAt: status === 'monitoring' || closed ? firstIn('monitoring', 'verifying') : null,
    resolvedAt: closed ? (firstIn('resolved', 'completed') ?? latest!.displayAt) : null,
  };
}

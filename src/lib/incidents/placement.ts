import { compareTimeline, deriveIncidentTimes, type TimelineEntry } from '../status/incident-status';
import type { UpdateStatus } from '../status/vocabulary';

export interface Placement {
  /** The incident's status once the update is in the log, by the same rule the save applies. */
  status: UpdateStatus;
  /** The earliest update the new one would sit before; null when it becomes the latest. */
  placedBefore: TimelineEntry | null;
}

/**
 * Where an update shown at `displayAt` would land in an incident's log, and
 * what status the incident would then have. A new update is inserted after
 * every existing one shown at the same time (it gets the highest sequence).
 */
export function placeUpdate(updates: readonly TimelineEntry[], update: { status: UpdateStatus; displayAt: number }): Placement {
  const entry: TimelineEntry = { id: '', status: update.status, displayAt: update.displayAt, seq: Number.POSITIVE_INFINITY };
  const placedBefore = [...updates].sort(compareTimeline).find((u) => compareTimeline(entry, u) < 0) ?? null;
  return { status: deriveIncidentTimes([...updates, entry], null, 0).status, placedBefore };
}

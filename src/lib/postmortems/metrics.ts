// The figures a postmortem gives for an incident, each defined in the report
// next to its value (postmortem.metric.* in the catalogs). Customers hear an
// update when it is published (createdAt), not at the time it is dated
// (displayAt), and notes written afterwards never count: the figures say what
// customers lived through while the incident was open.
import type { IncidentView, UpdateView } from '../incidents/load-incidents';
import { isClosedStatus } from '../status/vocabulary';

/** Published more than this long after the time it is dated, an update is a note written afterwards (back-dated). */
export const BACK_DATED_AFTER_MS = 15 * 60_000;

type MetricKey = 'firstWord' | 'identify' | 'longestSilence' | 'resolve';

/** Why a figure has no value: nothing was published while it was open, the log has no such moment, or it is still open. */
type MissingReason = 'notPublished' | 'notRecorded' | 'open';

export interface IncidentMetric {
  key: MetricKey;
  ms: number | null;
  /** The span the figure measures (the longest silence's two ends); `to` is null while it runs on. */
  from: number | null;
  to: number | null;
  missing: MissingReason | null;
}

export interface IncidentFigures {
  /** The start of impact: the start staff declared, else the time the first published update is dated. */
  start: number;
  /** The end of impact: the time the update that resolved it is dated; null while open. */
  end: number | null;
  metrics: IncidentMetric[];
  /** Ids of the updates left out as notes written afterwards. */
  afterwards: string[];
}

type MeasuredUpdate = Pick<UpdateView, 'id' | 'seq' | 'status' | 'displayAt' | 'createdAt'>;

/** What the figures read from an incident: its times, whether it was written up afterwards, and its updates in any order. */
export type MeasuredIncident = Pick<IncidentView, 'startedAt' | 'declaredStartAt' | 'backfilled'> & { updates: readonly MeasuredUpdate[] };

const byPublication = (a: MeasuredUpdate, b: MeasuredUpdate) => a.createdAt - b.createdAt || a.seq - b.seq;

/** Whether `u` was published more than BACK_DATED_AFTER_MS after the time it is dated. */
export function isBackDated(u: Pick<UpdateView, 'displayAt' | 'createdAt'>): boolean {
  return u.createdAt - u.displayAt > BACK_DATED_AFTER_MS;
}

/**
 * The figures, by these definitions:
 * - the update that opened it is the first one published; the one that
 *   resolved it is the first one published with a closed status and not
 *   followed by one dated after it that opens it again;
 * - a note written afterwards is any other update published after the one
 *   that resolved it, or back-dated;
 * - start of impact: the declared start, else the time the opening update is
 *   dated; end of impact: the time the resolving update is dated (the opening
 *   and resolving updates may be back-dated: they are what says when);
 * - time to first public word: start of impact to the opening update's publication;
 * - time to identify: start of impact to the publication of the first update
 *   marked identified that is not a note written afterwards;
 * - longest silence: the longest gap between publications, counting the
 *   opening update, every update that is not a note written afterwards, and
 *   the resolving update (or now, while it is open);
 * - time to resolve: start of impact to end of impact.
 * When the opening update was published more than BACK_DATED_AFTER_MS after
 * impact ended, or staff marked the timeline as written after the event,
 * nothing was published while it was open: the figures about what customers
 * heard have no value.
 */
export function incidentFigures(incident: MeasuredIncident, now: number): IncidentFigures {
  const published = [...incident.updates].sort(byPublication);
  const opening = published[0];
  // The update that resolved it for good: an update dated after a resolution opens it again (the log's latest status wins).
  let resolving: MeasuredUpdate | undefined;
  for (const u of published) {
    if (isClosedStatus(u.status)) resolving ??= u;
    else if (resolving && u.displayAt >= resolving.displayAt) resolving = undefined;
  }
  const start = opening ? Math.min(incident.declaredStartAt ?? Infinity, opening.displayAt) : incident.startedAt;
  const end = resolving ? Math.max(start, resolving.displayAt) : null;
  const afterwards = published.filter(
    (u) => u !== opening && u !== resolving && (isBackDated(u) || (resolving !== undefined && byPublication(u, resolving) > 0)),
  );
  const left = new Set(afterwards);
  const heard = published.filter((u) => !left.has(u));
  const writtenUp = incident.backfilled || !opening || (end !== null && opening.createdAt - end > BACK_DATED_AFTER_MS);
  const since = (t: number) => Math.max(0, t - start);
  const value = (key: MetricKey, ms: number | null, missing: MissingReason, from: number | null = null, to: number | null = null): IncidentMetric =>
    ms === null ? { key, ms, from: null, to: null, missing } : { key, ms, from, to, missing: null };

  const identified = heard.find((u) => u.status === 'identified');
  let silence: { from: number; to: number | null; ms: number } | null = null;
  if (!writtenUp) {
    const moments = heard.map((u) => u.createdAt);
    // While it is open the last silence runs on until now.
    if (!resolving) moments.push(Math.max(now, moments[moments.length - 1]!));
    for (let i = 1; i < moments.length; i++) {
      const ms = moments[i]! - moments[i - 1]!;
      const runsOn = !resolving && i === moments.length - 1;
      if (!silence || ms > silence.ms) silence = { from: moments[i - 1]!, to: runsOn ? null : moments[i]!, ms };
    }
  }
  return {
    start,
    end,
    afterwards: afterwards.map((u) => u.id),
    metrics: [
      value('firstWord', writtenUp ? null : since(opening!.createdAt), 'notPublished', start, opening?.createdAt ?? null),
      value(
        'identify',
        writtenUp ? null : identified ? since(identified.createdAt) : null,
        writtenUp ? 'notPublished' : 'notRecorded',
        start,
        identified?.createdAt ?? null,
      ),
      value('longestSilence', silence?.ms ?? null, writtenUp ? 'notPublished' : 'notRecorded', silence?.from ?? null, silence?.to ?? null),
      value('resolve', end === null ? null : end - start, 'open', start, end),
    ],
  };
}

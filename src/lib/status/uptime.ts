import type { ComponentStatus } from './vocabulary';
import type { LocalDay } from '../time';

/**
 * How much of a span in each status counts as downtime. Maintenance is not
 * weighted: it is taken out of the measured time altogether.
 */
export const DOWNTIME_WEIGHTS: Record<Exclude<ComponentStatus, 'under_maintenance'>, number> = {
  operational: 0,
  degraded_performance: 0,
  partial_outage: 0.3,
  major_outage: 1,
};

export interface StatusChange {
  at: number;
  status: ComponentStatus;
}

export interface DayUptime {
  key: string;
  start: number;
  end: number;
  /** 0..1, or null when nothing in the day was measured (not yet created, future, all maintenance). */
  uptime: number | null;
  /** Milliseconds counted as down after weighting. */
  downMs: number;
  /** Milliseconds measured: in the span, after the component was created, before now, and not under maintenance. */
  measuredMs: number;
  /** Worst non-maintenance status seen that day, for the cell's label. */
  worst: ComponentStatus;
  maintenanceMs: number;
}

export interface UptimeSummary {
  days: DayUptime[];
  /** Uptime over all measured time in the window, or null if none was measured. */
  overall: number | null;
}

const SEVERITY: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 0,
  degraded_performance: 1,
  partial_outage: 2,
  major_outage: 3,
};

/**
 * Uptime per local day from a component's status ledger. `changes` must be
 * ordered by time; the status before the first change is operational. Time
 * before `since` (the component's creation) and after `now` is not measured.
 */
export function computeUptime(changes: readonly StatusChange[], days: readonly LocalDay[], since: number, now: number): UptimeSummary {
  // Build contiguous segments [from, to) with a status, covering the window.
  const windowStart = days[0]?.start ?? now;
  let status: ComponentStatus = 'operational';
  let i = 0;
  while (i < changes.length && changes[i]!.at <= windowStart) status = changes[i++]!.status;
  const segments: { from: number; to: number; status: ComponentStatus }[] = [];
  let cursor = windowStart;
  for (; i < changes.length && changes[i]!.at < now; i++) {
    const c = changes[i]!;
    if (c.at > cursor) segments.push({ from: cursor, to: c.at, status });
    cursor = Math.max(cursor, c.at);
    status = c.status;
  }
  if (now > cursor) segments.push({ from: cursor, to: now, status });

  let seg = 0;
  const result: DayUptime[] = days.map((day) => {
    const from = Math.max(day.start, since);
    const to = Math.min(day.end, now);
    let measured = 0;
    let down = 0;
    let maintenance = 0;
    let worst: ComponentStatus = 'operational';
    while (seg < segments.length && segments[seg]!.to <= from) seg++;
    for (let j = seg; j < segments.length && segments[j]!.from < to; j++) {
      const s = segments[j]!;
      const overlap = Math.min(s.to, to) - Math.max(s.from, from);
      if (overlap <= 0) continue;
      if (s.status === 'under_maintenance') {
        maintenance += overlap;
        continue;
      }
      measured += overlap;
      down += overlap * DOWNTIME_WEIGHTS[s.status];
      if (SEVERITY[s.status] > SEVERITY[worst]) worst = s.status;
    }
    return {
      key: day.key,
      start: day.start,
      end: day.end,
      uptime: measured > 0 ? 1 - down / measured : null,
      downMs: down,
      measuredMs: measured,
      worst,
      maintenanceMs: maintenance,
    };
  });
  return { days: result, overall: uptimeOver(result) };
}

/** Uptime over some days taken together (their measured time and downtime summed), or null if none of it was measured. */
export function uptimeOver(days: readonly Pick<DayUptime, 'measuredMs' | 'downMs'>[]): number | null {
  let measured = 0;
  let down = 0;
  for (const d of days) {
    measured += d.measuredMs;
    down += d.downMs;
  }
  return measured > 0 ? 1 - down / measured : null;
}

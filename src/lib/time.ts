// Calendar arithmetic in an IANA time zone using only Intl, so days on the
// status page start at local midnight wherever the page is configured.

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(timeZone, f);
  }
  return f;
}

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

function localParts(ms: number, timeZone: string) {
  const out: Record<string, number> = {};
  for (const p of partsFormatter(timeZone).formatToParts(ms)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return out as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** Offset of the zone from UTC at the given instant, in milliseconds. */
function zoneOffsetMs(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

export function localDateOf(ms: number, timeZone: string): LocalDate {
  const p = localParts(ms, timeZone);
  return { year: p.year, month: p.month, day: p.day };
}

/** `YYYY-MM-DD` of the instant in the zone. */
export function localDateKey(ms: number, timeZone: string): string {
  const d = localDateOf(ms, timeZone);
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** The instant of local wall-clock time `y-m-d h:mi` in the zone. */
/** Groups timeline entries by their local calendar day, keeping their order. */
export function groupByLocalDay<T extends { displayAt: number }>(items: readonly T[], timeZone: string): { key: string; updates: T[] }[] {
  const days: { key: string; updates: T[] }[] = [];
  for (const item of items) {
    const key = localDateKey(item.displayAt, timeZone);
    const last = days[days.length - 1];
    if (last && last.key === key) last.updates.push(item);
    else days.push({ key, updates: [item] });
  }
  return days;
}

export function zonedTimeToUtc(year: number, month: number, day: number, hour = 0, minute = 0, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  // Two passes settle the offset even when the guess lands across a DST change.
  let ms = guess - zoneOffsetMs(guess, timeZone);
  ms = guess - zoneOffsetMs(ms, timeZone);
  return ms;
}

/** Start of the local day `days` calendar days after the one containing `ms`. */
export function addLocalDays(ms: number, days: number, timeZone: string): number {
  const d = localDateOf(ms, timeZone);
  const shifted = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return zonedTimeToUtc(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate(), 0, 0, timeZone);
}

export interface LocalDay {
  key: string;
  start: number;
  end: number;
}

const recentDays = new Map<string, LocalDay[]>();

/**
 * The `count` local days ending with the one containing `now`, oldest first.
 * The list changes only when the local date does, so the last few are kept;
 * callers must not modify it.
 */
export function lastLocalDays(now: number, count: number, timeZone: string): readonly LocalDay[] {
  const today = localDateOf(now, timeZone);
  const memoKey = `${timeZone}|${count}|${today.year}-${today.month}-${today.day}`;
  const known = recentDays.get(memoKey);
  if (known) return known;
  const days: LocalDay[] = [];
  // Each day ends where the next begins: one zone conversion per boundary.
  const boundary = (offset: number) => {
    const d = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
    return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
  };
  let next = boundary(-count + 1);
  let start = zonedTimeToUtc(next.y, next.m, next.d, 0, 0, timeZone);
  for (let i = count - 1; i >= 0; i--) {
    const date = next;
    next = boundary(-i + 1);
    const end = zonedTimeToUtc(next.y, next.m, next.d, 0, 0, timeZone);
    days.push({ key: `${date.y}-${String(date.m).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`, start, end });
    start = end;
  }
  if (recentDays.size > 16) recentDays.clear();
  recentDays.set(memoKey, days);
  return days;
}

/** The `count` local calendar months ending with the one containing `now`, oldest first, keyed `YYYY-MM`. */
export function lastLocalMonths(now: number, count: number, timeZone: string): LocalDay[] {
  const today = localDateOf(now, timeZone);
  const months: LocalDay[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const first = new Date(Date.UTC(today.year, today.month - 1 - i, 1));
    const next = new Date(Date.UTC(today.year, today.month - i, 1));
    const y = first.getUTCFullYear();
    const m = first.getUTCMonth() + 1;
    months.push({
      key: `${y}-${String(m).padStart(2, '0')}`,
      start: zonedTimeToUtc(y, m, 1, 0, 0, timeZone),
      end: zonedTimeToUtc(next.getUTCFullYear(), next.getUTCMonth() + 1, 1, 0, 0, timeZone),
    });
  }
  return months;
}

/** `YYYY-MM-DD` of a calendar date. */
export function dateKey(d: LocalDate): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** The calendar date `days` after `d` (negative: before). */
export function shiftDate(d: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** Local days from `from` to `to` inclusive, oldest first: each ends where the next begins, in the zone. */
export function localDaysBetween(from: LocalDate, to: LocalDate, timeZone: string): LocalDay[] {
  const days: LocalDay[] = [];
  let date = from;
  let start = zonedTimeToUtc(date.year, date.month, date.day, 0, 0, timeZone);
  while (dateKey(date) <= dateKey(to)) {
    const next = shiftDate(date, 1);
    const end = zonedTimeToUtc(next.year, next.month, next.day, 0, 0, timeZone);
    days.push({ key: dateKey(date), start, end });
    date = next;
    start = end;
  }
  return days;
}

/**
 * The calendar months that `from`..`to` (inclusive dates) touches, oldest
 * first, keyed `YYYY-MM`, each cut to the range: a range from June 10 has a
 * June that starts on June 10.
 */
export function localMonthsBetween(from: LocalDate, to: LocalDate, timeZone: string): LocalDay[] {
  const rangeStart = zonedTimeToUtc(from.year, from.month, from.day, 0, 0, timeZone);
  const after = shiftDate(to, 1);
  const rangeEnd = zonedTimeToUtc(after.year, after.month, after.day, 0, 0, timeZone);
  const months: LocalDay[] = [];
  for (let y = from.year, m = from.month; y < to.year || (y === to.year && m <= to.month); m === 12 ? ((m = 1), y++) : m++) {
    const next = m === 12 ? { y: y + 1, m: 1 } : { y, m: m + 1 };
    months.push({
      key: `${y}-${String(m).padStart(2, '0')}`,
      start: Math.max(rangeStart, zonedTimeToUtc(y, m, 1, 0, 0, timeZone)),
      end: Math.min(rangeEnd, zonedTimeToUtc(next.y, next.m, 1, 0, 0, timeZone)),
    });
  }
  return months;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Splits a span into days, hours and minutes (rounded down to the minute). */
export function splitDuration(ms: number): { days: number; hours: number; minutes: number } {
  const total = Math.max(0, Math.floor(ms / MINUTE)) * MINUTE;
  return {
    days: Math.floor(total / DAY),
    hours: Math.floor((total % DAY) / HOUR),
    minutes: Math.floor((total % HOUR) / MINUTE),
  };
}

export { MINUTE, HOUR };

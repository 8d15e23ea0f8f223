import { createRequire } from 'node:module';
import { DateTime } from 'luxon';
import type { RRule as Rule } from 'rrule';

// rrule 2.8 declares ES module exports that Node cannot load (its ESM build is
// not marked as a module); its CommonJS build is what Node runs, so it is required.
const { RRule } = createRequire(import.meta.url)('rrule') as typeof import('rrule');

export const REPEAT_FREQUENCIES = ['weekly', 'monthly'] as const;
type RepeatFrequency = (typeof REPEAT_FREQUENCIES)[number];
/** More than this many windows at once is a mistake in the form, not a plan. */
export const MAX_OCCURRENCES = 52;

export interface Repeat {
  freq: RepeatFrequency;
  /** How many windows in all, the first included. */
  count?: number;
  /** The last local date an occurrence may start on, as YYYY-MM-DD in the series' zone. */
  until?: string;
}

const FREQ = { weekly: RRule.WEEKLY, monthly: RRule.MONTHLY } as const;

/**
 * The rule in floating time: rrule counts in UTC, so the first start's local
 * wall-clock time is given to it as if it were UTC, and each date it returns
 * is read back as a wall-clock time in the zone. Occurrences then keep their
 * local time across a daylight-saving change, as calendars do with a TZID.
 */
function floatingRule(repeat: Repeat, firstStart: number, timeZone: string): Rule {
  const local = DateTime.fromMillis(firstStart, { zone: timeZone });
  const until = repeat.until ? DateTime.fromISO(repeat.until, { zone: 'utc' }).endOf('day').toJSDate() : undefined;
  return new RRule({
    freq: FREQ[repeat.freq],
    dtstart: new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second)),
    count: repeat.count,
    until,
  });
}

/**
 * Every start of a repeating window, the first included, at most
 * MAX_OCCURRENCES + 1 (so a caller can tell the rule asks for too many). A
 * monthly rule skips months without the first start's day (the 31st), as
 * RFC 5545 says.
 */
export function occurrenceStarts(repeat: Repeat, firstStart: number, timeZone: string): number[] {
  const dates = floatingRule(repeat, firstStart, timeZone).all((_: Date, i: number) => i <= MAX_OCCURRENCES);
  return dates.map((d: Date) =>
    DateTime.fromObject(
      {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
      },
      // A time skipped by a spring-forward change is moved forward by the gap.
      { zone: timeZone },
    ).toMillis(),
  );
}

/**
 * The RRULE value a calendar needs beside `DTSTART;TZID=<zone>`: with a
 * zoned start, RFC 5545 wants UNTIL in UTC, so the end is given as the last
 * occurrence's start.
 */
export function calendarRule(repeat: Repeat, starts: readonly number[]): string {
  const parts = [`FREQ=${repeat.freq.toUpperCase()}`];
  if (repeat.count !== undefined) parts.push(`COUNT=${repeat.count}`);
  else parts.push(`UNTIL=${DateTime.fromMillis(starts[starts.length - 1]!, { zone: 'utc' }).toFormat("yyyyLLdd'T'HHmmss'Z'")}`);
  return parts.join(';');
}

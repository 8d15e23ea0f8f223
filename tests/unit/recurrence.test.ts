import { describe, expect, it } from 'vitest';
import { calendarRule, MAX_OCCURRENCES, occurrenceStarts } from '../../src/lib/maintenance/recurrence';

const iso = (ms: number[]) => ms.map((m) => new Date(m).toISOString());
const NEW_YORK = 'America/New_York';

describe('repeating maintenance windows', () => {
  it('keep their wall-clock time in America/New_York across the spring change (UTC moves an hour)', () => {
    // Saturday 6 March 2027, 10:00 EST; clocks go forward on Sunday 14 March.
    const starts = occurrenceStarts({ freq: 'weekly', count: 4 }, Date.UTC(2027, 2, 6, 15, 0), NEW_YORK);
    expect(iso(starts)).toEqual(['2027-03-06T15:00:00.000Z', '2027-03-13T15:00:00.000Z', '2027-03-20T14:00:00.000Z', '2027-03-27T14:00:00.000Z']);
    const local = starts.map((s) => new Intl.DateTimeFormat('en-GB', { timeZone: NEW_YORK, weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(s));
    expect(new Set(local)).toEqual(new Set(['Sat 10:00']));
  });

  it('keep their wall-clock time across the autumn change, monthly until a local date', () => {
    // 15 October 2027, 23:30 EDT (03:30 UTC the next day); clocks go back on 7 November.
    const starts = occurrenceStarts({ freq: 'monthly', until: '2027-12-15' }, Date.UTC(2027, 9, 16, 3, 30), NEW_YORK);
    expect(iso(starts)).toEqual(['2027-10-16T03:30:00.000Z', '2027-11-16T04:30:00.000Z', '2027-12-16T04:30:00.000Z']);
  });

  it('move a start that falls in the spring-forward gap to just after it', () => {
    // 02:30 on 7 March 2027 exists; a week later 02:30 does not (02:00 jumps to 03:00).
    const starts = occurrenceStarts({ freq: 'weekly', count: 2 }, Date.UTC(2027, 2, 7, 7, 30), NEW_YORK);
    expect(iso(starts)).toEqual(['2027-03-07T07:30:00.000Z', '2027-03-14T07:30:00.000Z']);
  });

  it("skip months without the first start's day, as RFC 5545 does", () => {
    const starts = occurrenceStarts({ freq: 'monthly', count: 3 }, Date.UTC(2027, 0, 31, 10, 0), 'Asia/Tokyo');
    expect(iso(starts)).toEqual(['2027-01-31T10:00:00.000Z', '2027-03-31T10:00:00.000Z', '2027-05-31T10:00:00.000Z']);
  });

  it('stop counting one past the most a series may have, so the caller can refuse it', () => {
    expect(occurrenceStarts({ freq: 'weekly', until: '2040-01-01' }, Date.UTC(2027, 0, 1), 'UTC')).toHaveLength(MAX_OCCURRENCES + 1);
  });

  it('give calendars COUNT as chosen, or UNTIL in UTC at the last start', () => {
    const starts = occurrenceStarts({ freq: 'monthly', until: '2027-12-31' }, Date.UTC(2027, 9, 31, 13, 30), NEW_YORK);
    expect(calendarRule({ freq: 'monthly', until: '2027-12-31' }, starts)).toBe('FREQ=MONTHLY;UNTIL=20271231T143000Z');
    expect(calendarRule({ freq: 'weekly', count: 4 }, starts)).toBe('FREQ=WEEKLY;COUNT=4');
  });
});

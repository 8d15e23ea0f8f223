import { describe, expect, it } from 'vitest';
import { addLocalDays, lastLocalDays, lastLocalMonths, localDateKey, zonedTimeToUtc } from '../../src/lib/time';

describe('calendar days in a time zone', () => {
  it('converts Tokyo wall-clock time to UTC', () => {
    expect(new Date(zonedTimeToUtc(2018, 6, 18, 6, 0, 'Asia/Tokyo')).toISOString()).toBe('2018-06-17T21:00:00.000Z');
  });

  it('starts a Tokyo day at 15:00 UTC the day before', () => {
    const lateEveningUtc = Date.UTC(2018, 5, 18, 16, 0); // 01:00 on the 19th in Tokyo
    expect(localDateKey(lateEveningUtc, 'Asia/Tokyo')).toBe('2018-06-19');
    expect(new Date(addLocalDays(lateEveningUtc, 0, 'Asia/Tokyo')).toISOString()).toBe('2018-06-18T15:00:00.000Z');
  });

  it('gives days of 23 and 25 hours across daylight-saving changes', () => {
    const springDay = zonedTimeToUtc(2024, 3, 10, 12, 0, 'America/New_York');
    expect(addLocalDays(springDay, 1, 'America/New_York') - addLocalDays(springDay, 0, 'America/New_York')).toBe(23 * 3_600_000);
    const autumnDay = zonedTimeToUtc(2024, 11, 3, 12, 0, 'America/New_York');
    expect(addLocalDays(autumnDay, 1, 'America/New_York') - addLocalDays(autumnDay, 0, 'America/New_York')).toBe(25 * 3_600_000);
  });

  it('lists the last days oldest first, ending today', () => {
    const now = Date.UTC(2026, 0, 1, 1, 0); // 10:00 on Jan 1 in Tokyo
    const days = lastLocalDays(now, 3, 'Asia/Tokyo');
    expect(days.map((d) => d.key)).toEqual(['2025-12-30', '2025-12-31', '2026-01-01']);
    expect(days[2]!.start).toBeLessThanOrEqual(now);
    expect(days[2]!.end).toBeGreaterThan(now);
    expect(days[1]!.end).toBe(days[2]!.start);
  });
});

describe('calendar months in a time zone', () => {
  it('lists the last months oldest first, across a year end, each starting at local midnight on the 1st', () => {
    const now = Date.UTC(2026, 1, 10, 12); // 10 Feb 2026
    const months = lastLocalMonths(now, 3, 'Asia/Tokyo');
    expect(months.map((m) => m.key)).toEqual(['2025-12', '2026-01', '2026-02']);
    expect(months[0]!.start).toBe(Date.UTC(2025, 10, 30, 15));
    expect(months[1]!.start).toBe(months[0]!.end);
    expect(months[2]!.end).toBe(Date.UTC(2026, 1, 28, 15));
  });

  it('counts a month with a daylight-saving change an hour short or long', () => {
    const [march] = lastLocalMonths(Date.UTC(2026, 2, 20), 1, 'Europe/London');
    expect(march!.end - march!.start).toBe(31 * 86_400_000 - 3_600_000);
    const [october] = lastLocalMonths(Date.UTC(2026, 9, 20), 1, 'Europe/London');
    expect(october!.end - october!.start).toBe(31 * 86_400_000 + 3_600_000);
  });

  it('takes the month of the zone, not of UTC', () => {
    // 31 Jan 2026 20:00 UTC is already 1 Feb in Tokyo.
    expect(lastLocalMonths(Date.UTC(2026, 0, 31, 20), 1, 'Asia/Tokyo')[0]!.key).toBe('2026-02');
  });
});

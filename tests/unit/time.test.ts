import { describe, expect, it } from 'vitest';
import { addLocalDays, lastLocalDays, localDateKey, zonedTimeToUtc } from '../../src/lib/time';

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

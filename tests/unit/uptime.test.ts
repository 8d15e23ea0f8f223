import { describe, expect, it } from 'vitest';
import { computeUptime, DOWNTIME_WEIGHTS, uptimeOver } from '../../src/lib/status/uptime';
import { lastLocalDays, zonedTimeToUtc } from '../../src/lib/time';

const H = 3_600_000;
const TZ = 'Asia/Tokyo';
const at = (day: number, hour: number, minute = 0) => zonedTimeToUtc(2018, 6, day, hour, minute, TZ);

describe('uptime per day', () => {
  const now = at(20, 12);
  const days = lastLocalDays(now, 4, TZ); // 17th, 18th, 19th, 20th (half)
  const since = at(1, 0);

  it('splits an outage across local midnight into the two days it touched', () => {
    const { days: result } = computeUptime(
      [
        { at: at(18, 22), status: 'major_outage' },
        { at: at(19, 2), status: 'operational' },
      ],
      days,
      since,
      now,
    );
    const byKey = Object.fromEntries(result.map((d) => [d.key, d]));
    expect(byKey['2018-06-18']!.downMs).toBe(2 * H);
    expect(byKey['2018-06-19']!.downMs).toBe(2 * H);
    expect(byKey['2018-06-18']!.uptime).toBeCloseTo(22 / 24, 10);
    expect(byKey['2018-06-17']!.uptime).toBe(1);
  });

  it('weights partial outage at 30 % and degraded performance at nothing', () => {
    expect(DOWNTIME_WEIGHTS.partial_outage).toBe(0.3);
    const { days: result } = computeUptime(
      [
        { at: at(17, 0), status: 'partial_outage' },
        { at: at(17, 10), status: 'degraded_performance' },
        { at: at(17, 20), status: 'operational' },
      ],
      days,
      since,
      now,
    );
    expect(result[0]!.downMs).toBeCloseTo(10 * H * 0.3, 6);
    expect(result[0]!.uptime).toBeCloseTo(1 - 3 / 24, 10);
    expect(result[0]!.worst).toBe('partial_outage');
  });

  it('leaves maintenance out of the measured time', () => {
    const { days: result } = computeUptime(
      [
        { at: at(17, 0), status: 'under_maintenance' },
        { at: at(17, 12), status: 'major_outage' },
        { at: at(17, 18), status: 'operational' },
      ],
      days,
      since,
      now,
    );
    expect(result[0]!.maintenanceMs).toBe(12 * H);
    expect(result[0]!.uptime).toBeCloseTo(1 - 6 / 12, 10);
  });

  it('measures today only up to now and nothing before the component existed', () => {
    const { days: result } = computeUptime([{ at: at(20, 11), status: 'major_outage' }], days, at(18, 12), now);
    expect(result[0]!.uptime).toBeNull();
    expect(result[1]!.uptime).toBe(1);
    expect(result[3]!.uptime).toBeCloseTo(1 - 1 / 12, 10);
  });

  it('uses the status in force before the window for its first hours', () => {
    const { days: result, overall } = computeUptime([{ at: at(1, 0), status: 'major_outage' }], days, since, now);
    expect(result.every((d) => d.uptime === 0)).toBe(true);
    expect(overall).toBe(0);
  });

  it('counts the last days of the window alone, as a phone’s shorter strip shows them', () => {
    const { days: result, overall } = computeUptime(
      [
        { at: at(17, 0), status: 'major_outage' },
        { at: at(17, 12), status: 'operational' },
        { at: at(19, 0), status: 'partial_outage' },
        { at: at(19, 10), status: 'operational' },
      ],
      days,
      since,
      now,
    );
    expect(uptimeOver(result)).toBe(overall);
    // The 19th and the half of the 20th: 3 h counted down in 36 h measured.
    expect(uptimeOver(result.slice(-2))).toBeCloseTo(1 - 3 / 36, 10);
    expect(uptimeOver(result.slice(0, 1))).toBeCloseTo(0.5, 10);
    expect(computeUptime([], days, at(21, 0), now).overall).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { incidentCadenceClock } from '../../src/lib/cadence/cadence-clock';

const MINUTE = 60_000;
const start = Date.UTC(2026, 5, 18, 9, 10);

describe('the cadence clock', () => {
  it('measures the silence from the latest update by display time, whatever order they were written in', () => {
    const incident = { startedAt: start - 30 * MINUTE, updates: [{ displayAt: start + 40 * MINUTE }, { displayAt: start }] };
    const clock = incidentCadenceClock(incident, 60, start + 70 * MINUTE);
    expect(clock).toMatchObject({
      impactBeganAt: start - 30 * MINUTE,
      lastPublicUpdateAt: start + 40 * MINUTE,
      sinceImpactMs: 100 * MINUTE,
      sinceUpdateMs: 30 * MINUTE,
      dueAt: start + 100 * MINUTE,
      overdue: false,
      overdueByMs: 0,
    });
  });

  it('is overdue from the very minute the cadence has passed', () => {
    const incident = { startedAt: start, updates: [{ displayAt: start }] };
    expect(incidentCadenceClock(incident, 60, start + 60 * MINUTE - 1).overdue).toBe(false);
    expect(incidentCadenceClock(incident, 60, start + 60 * MINUTE)).toMatchObject({ overdue: true, overdueByMs: 0 });
    expect(incidentCadenceClock(incident, 60, start + 95 * MINUTE).overdueByMs).toBe(35 * MINUTE);
  });
});

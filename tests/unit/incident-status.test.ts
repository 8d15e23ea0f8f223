import { describe, expect, it } from 'vitest';
import { deriveIncidentTimes, type TimelineEntry } from '../../src/lib/status/incident-status';

const H = 3_600_000;
const u = (id: string, status: TimelineEntry['status'], displayAt: number, seq: number): TimelineEntry => ({ id, status, displayAt, seq });

describe('incident status from its updates', () => {
  it('follows the update with the latest display time', () => {
    const updates = [u('a', 'investigating', 0, 1), u('b', 'identified', H, 2), u('c', 'monitoring', 2 * H, 3)];
    expect(deriveIncidentTimes(updates, null, 0).status).toBe('monitoring');
  });

  it('ignores a back-dated update written after a newer one', () => {
    const updates = [u('a', 'investigating', 0, 1), u('b', 'resolved', 3 * H, 2), u('late', 'identified', H, 3)];
    expect(deriveIncidentTimes(updates, null, 0).status).toBe('resolved');
  });

  it('breaks ties in display time by insertion order', () => {
    const updates = [u('first', 'identified', H, 1), u('second', 'monitoring', H, 2)];
    expect(deriveIncidentTimes(updates, null, 0).status).toBe('monitoring');
    expect(deriveIncidentTimes([...updates].reverse(), null, 0).status).toBe('monitoring');
  });

  it('derives start, monitoring and resolution times from the log', () => {
    const times = deriveIncidentTimes([u('a', 'investigating', H, 1), u('b', 'monitoring', 2 * H, 2), u('c', 'resolved', 4 * H, 3)], null, 0);
    expect(times).toEqual({ status: 'resolved', startedAt: H, monitoringAt: 2 * H, resolvedAt: 4 * H });
  });

  it('clears monitoring and resolution times while the incident is open again', () => {
    const times = deriveIncidentTimes([u('a', 'investigating', 0, 1), u('b', 'monitoring', H, 2), u('c', 'investigating', 2 * H, 3)], null, 0);
    expect(times.status).toBe('investigating');
    expect(times.monitoringAt).toBeNull();
    expect(times.resolvedAt).toBeNull();
  });

  it('starts at a declared impact start earlier than the first update', () => {
    expect(deriveIncidentTimes([u('a', 'investigating', 2 * H, 1)], H, 0).startedAt).toBe(H);
  });
});

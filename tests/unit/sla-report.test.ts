import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type Db } from '../../db/open';
import { auditLog } from '../../db/schema';
import { createComponent } from '../../src/lib/components/create-component';
import { setComponentStatus } from '../../src/lib/components/set-component-status';
import { ShiraseError } from '../../src/lib/errors';
import { applyCorrections } from '../../src/lib/status/corrections';
import { computeUptime, type StatusChange } from '../../src/lib/status/uptime';
import { localMonthsBetween, zonedTimeToUtc } from '../../src/lib/time';
import { correctStatusHistory, withdrawCorrection } from '../../src/lib/uptime/corrections';
import { parseTarget, setSlaTargets } from '../../src/lib/uptime/sla-targets';
import { buildUptimeReport, figures, parseRange } from '../../src/lib/uptime/uptime-report';

const H = 3_600_000;
const MIN = 60_000;
const TOKYO = 'Asia/Tokyo';
const NEW_YORK = 'America/New_York';

/** One calendar month's figures for a ledger, measured from long before and up to long after. */
function month(ledger: StatusChange[], year: number, m: number, zone: string, target: number | null = 99.9) {
  const lastDay = new Date(Date.UTC(year, m, 0)).getUTCDate();
  const [span] = localMonthsBetween({ year, month: m, day: 1 }, { year, month: m, day: lastDay }, zone);
  const [d] = computeUptime(ledger, [span!], 0, Date.UTC(2100, 0, 1)).days;
  return figures(d!.measuredMs, d!.downMs, d!.maintenanceMs, target, false);
}

describe('the monthly formula, checked by hand', () => {
  const jst = (day: number, hour: number, minute = 0) => zonedTimeToUtc(2018, 6, day, hour, minute, TOKYO);

  it('counts a partial outage at 30 % and compares with the time the target allows', () => {
    // June 2018 in Tokyo: 30 days = 43,200 minutes measured. Ten hours of partial outage = 180 minutes down.
    const f = month(
      [
        { at: jst(10, 0), status: 'partial_outage' },
        { at: jst(10, 10), status: 'operational' },
      ],
      2018,
      6,
      TOKYO,
    );
    expect(f.measuredMs).toBe(43_200 * MIN);
    expect(f.downMs).toBe(180 * MIN);
    expect(f.uptime).toBeCloseTo(1 - 180 / 43_200, 12);
    // 99.9 % allows 43.2 minutes: 136.8 over.
    expect(f.breached).toBe(true);
    expect(f.overMs).toBeCloseTo(136.8 * MIN, 3);
  });

  it('leaves maintenance out of the measured time even in the middle of an outage', () => {
    // Major outage 10:00–14:00 with a maintenance window 12:00–13:00 inside it: 3 h down, 1 h maintenance.
    const f = month(
      [
        { at: jst(5, 10), status: 'major_outage' },
        { at: jst(5, 12), status: 'under_maintenance' },
        { at: jst(5, 13), status: 'major_outage' },
        { at: jst(5, 14), status: 'operational' },
      ],
      2018,
      6,
      TOKYO,
    );
    expect(f.maintenanceMs).toBe(H);
    expect(f.measuredMs).toBe(43_200 * MIN - H);
    expect(f.downMs).toBe(3 * H);
    expect(f.uptime).toBeCloseTo(1 - 180 / 43_140, 12);
  });

  it('splits an outage at midnight on the first of the month in the page’s zone, not in UTC', () => {
    // 23:00 on June 30 to 01:00 on July 1 in Tokyo is 14:00–16:00 UTC on June 30: one hour to each local month.
    const ledger: StatusChange[] = [
      { at: jst(30, 23), status: 'major_outage' },
      { at: zonedTimeToUtc(2018, 7, 1, 1, 0, TOKYO), status: 'operational' },
    ];
    expect(month(ledger, 2018, 6, TOKYO).downMs).toBe(H);
    expect(month(ledger, 2018, 7, TOKYO).downMs).toBe(H);
    expect(month(ledger, 2018, 6, 'UTC').downMs).toBe(2 * H);
  });

  it('measures a month with a daylight-saving change by its real length', () => {
    // New York springs forward on March 8, 2026 (743 hours in March) and falls back on November 1 (721 in November).
    expect(month([], 2026, 3, NEW_YORK).measuredMs).toBe(743 * H);
    expect(month([], 2026, 11, NEW_YORK).measuredMs).toBe(721 * H);
    // 23:30 on March 31 to 00:30 on April 1, local time: half an hour to each month.
    const ledger: StatusChange[] = [
      { at: zonedTimeToUtc(2026, 3, 31, 23, 30, NEW_YORK), status: 'major_outage' },
      { at: zonedTimeToUtc(2026, 4, 1, 0, 30, NEW_YORK), status: 'operational' },
    ];
    expect(month(ledger, 2026, 3, NEW_YORK).downMs).toBe(30 * MIN);
    expect(month(ledger, 2026, 4, NEW_YORK).downMs).toBe(30 * MIN);
    // 30 minutes of 743 hours is 99.933 %: within 99.9 %.
    expect(month(ledger, 2026, 3, NEW_YORK).breached).toBe(false);
  });

  it('calls a month exactly at its target met, and one a minute over breached', () => {
    // 1,000 hours measured at 99.9 % allow exactly one hour.
    expect(figures(1_000 * H, H, 0, 99.9, false)).toMatchObject({ breached: false, overMs: 0 });
    expect(figures(1_000 * H, H + MIN, 0, 99.9, false).breached).toBe(true);
    expect(figures(1_000 * H, H, 0, null, false).breached).toBeNull();
    expect(figures(0, 0, 5 * H, 99.9, false)).toMatchObject({ uptime: null, breached: null });
  });
});

describe('corrections laid over the ledger', () => {
  const t = (hour: number) => Date.UTC(2026, 5, 1, hour);
  const ledger: StatusChange[] = [
    { at: t(10), status: 'major_outage' },
    { at: t(12), status: 'operational' },
  ];
  const down = (changes: StatusChange[]) => computeUptime(changes, [{ key: 'd', start: t(0), end: t(24) }], 0, t(24)).days[0]!.downMs;

  it('moves the start of an outage earlier', () => {
    expect(down(applyCorrections(ledger, [{ from: t(8), to: t(10), status: 'major_outage' }]))).toBe(4 * H);
  });

  it('wipes out a false alarm, and the recorded status resumes at its end', () => {
    expect(down(applyCorrections(ledger, [{ from: t(10), to: t(12), status: 'operational' }]))).toBe(0);
    // A correction over part of the outage: the outage resumes after it.
    expect(down(applyCorrections(ledger, [{ from: t(10), to: t(11), status: 'operational' }]))).toBe(H);
  });

  it('lets a later correction win where two overlap, and leaves the ledger given untouched', () => {
    const corrected = applyCorrections(ledger, [
      { from: t(6), to: t(12), status: 'major_outage' },
      { from: t(6), to: t(9), status: 'operational' },
    ]);
    expect(down(corrected)).toBe(3 * H);
    expect(ledger).toHaveLength(2);
  });
});

describe('reading a range and a target', () => {
  const now = zonedTimeToUtc(2026, 11, 30, 12, 0, TOKYO);

  it('takes the last twelve months by default and reads dates in the page’s calendar', () => {
    expect(parseRange(null, null, now, TOKYO)).toEqual({ range: { from: { year: 2025, month: 12, day: 1 }, to: { year: 2026, month: 11, day: 30 } } });
    expect(parseRange('2018-06-01', '2018-06-30', now, TOKYO)).toEqual({
      range: { from: { year: 2018, month: 6, day: 1 }, to: { year: 2018, month: 6, day: 30 } },
    });
  });

  it('names the field at fault for dates that do not exist, reversed ranges, the future and ranges over ten years', () => {
    expect(parseRange('2026-02-30', null, now, TOKYO)).toEqual({ problem: 'format', field: 'from' });
    expect(parseRange('2026-06-01', '06/30/2026', now, TOKYO)).toEqual({ problem: 'format', field: 'to' });
    expect(parseRange('2026-06-30', '2026-06-01', now, TOKYO)).toEqual({ problem: 'order', field: 'to' });
    expect(parseRange('2026-12-01', '2026-12-31', now, TOKYO)).toEqual({ problem: 'future', field: 'from' });
    expect(parseRange('2010-01-01', '2026-01-01', now, TOKYO)).toEqual({ problem: 'tooLong', field: 'to' });
  });

  it('reads targets as people write them and refuses what is not a percentage', () => {
    const issues: unknown[] = [];
    expect(parseTarget('99.9', 'page', [])).toBe(99.9);
    expect(parseTarget(' 99,95 % ', 'page', [])).toBe(99.95);
    expect(parseTarget('', 'page', [])).toBeNull();
    for (const bad of ['100', '0', 'abc', '99.99999', '-5']) parseTarget(bad, 'page', issues as never);
    expect(issues).toHaveLength(5);
  });
});

describe('the report from a real database', () => {
  let dir: string;
  let db: Db;
  const jst = (month: number, day: number, hour: number) => zonedTimeToUtc(2026, month, day, hour, 0, TOKYO);
  const now = jst(11, 30, 12);
  const staff = { kind: 'user' as const, id: 'u1', label: 'oncall@example.com' };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shirase-sla-'));
    db = openDatabase(join(dir, 'shirase.db'));
    migrateDatabase(db);
  });
  afterEach(() => {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds components to their own target or the page’s, and corrections change the figures and are audited', () => {
    const { componentId: api } = createComponent(db, { name: 'API', createdAt: jst(1, 1, 0) }, { now: jst(1, 1, 0) });
    const { componentId: web } = createComponent(db, { name: 'Web', createdAt: jst(1, 1, 0) }, { now: jst(1, 1, 0) });
    setSlaTargets(db, { page: '99.5', components: { [api]: '99.95', [web]: '' } }, { now: jst(1, 1, 0), actor: staff });
    setComponentStatus(db, api, { status: 'major_outage' }, { now: jst(6, 10, 10) });
    setComponentStatus(db, api, { status: 'operational' }, { now: jst(6, 10, 11) });
    const june = { from: { year: 2026, month: 6, day: 1 }, to: { year: 2026, month: 6, day: 30 } };
    const report = () => buildUptimeReport(db, june, now, TOKYO);

    const before = report();
    expect(before.components.map((c) => c.target)).toEqual([99.95, 99.5]);
    expect(before.page.target).toBe(99.5);
    const apiJune = before.components[0]!.months[0]!;
    expect(apiJune.downMs).toBe(H);
    expect(apiJune.breached).toBe(true); // 99.95 % of 720 h allows 21.6 minutes.
    expect(apiJune.days!.find((d) => d.key === '2026-06-10')!.downMs).toBe(H);

    // The outage began an hour before anyone set the status.
    const { correctionId } = correctStatusHistory(
      db,
      { componentId: api, from: jst(6, 10, 9), to: jst(6, 10, 10), status: 'major_outage', reason: 'Errors began at 09:00 in the load balancer logs.' },
      { now, actor: staff },
    );
    const corrected = report().components[0]!.months[0]!;
    expect(corrected.downMs).toBe(2 * H);
    expect(corrected.corrected).toBe(true);
    expect(corrected.days!.find((d) => d.key === '2026-06-10')!.corrected).toBe(true);
    expect(corrected.days!.find((d) => d.key === '2026-06-11')!.corrected).toBe(false);

    withdrawCorrection(db, correctionId, { now, actor: staff });
    expect(report().components[0]!.months[0]!).toMatchObject({ downMs: H, corrected: false });
    const actions = db
      .select({ action: auditLog.action, actor: auditLog.actorLabel })
      .from(auditLog)
      .all()
      .map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['uptime.set_targets', 'uptime.correct', 'uptime.withdraw_correction']));
    expect(() => withdrawCorrection(db, correctionId, { now, actor: staff })).toThrow(ShiraseError);
  });

  it('refuses a correction without a reason, ending before it starts or reaching into the future, and writes nothing', () => {
    const { componentId } = createComponent(db, { name: 'API', createdAt: jst(1, 1, 0) }, { now: jst(1, 1, 0) });
    const attempt = (input: Partial<Parameters<typeof correctStatusHistory>[1]>) => {
      try {
        correctStatusHistory(
          db,
          { componentId, from: jst(6, 1, 0), to: jst(6, 1, 1), status: 'major_outage', reason: 'Logs.', ...input },
          { now, actor: staff },
        );
        return null;
      } catch (error) {
        return (error as ShiraseError).fields.map((f) => `${f.field}:${f.key}`);
      }
    };
    expect(attempt({ reason: '  ' })).toEqual(['reason:errors.field.correctionReasonRequired']);
    expect(attempt({ to: jst(5, 31, 0) })).toEqual(['to:errors.field.correctionEndsBeforeStart']);
    expect(attempt({ to: now + H })).toEqual(['to:errors.field.statusCorrectionInFuture']);
    expect(attempt({ componentId: 'zzzzzzzzzzzz' })).toEqual(['componentId:errors.field.pickOne']);
    expect(db.$client.prepare('select count(*) from status_corrections').pluck().get()).toBe(0);
  });
});

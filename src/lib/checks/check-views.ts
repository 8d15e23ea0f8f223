// What the checks screens show: each check with its latest result and uptime,
// and one check's results folded into buckets for its chart.
import { and, desc, eq, gte, sql } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { checkResults, checks } from '../../../db/schema';
import { lastLocalDays } from '../time';
import { formatLabelLines } from './check-input';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** SQL folds results into quarter hours; they line up with every zone's local midnight. */
const SLICE = 15 * 60_000;

type CheckRow = typeof checks.$inferSelect;

export interface CheckSummary {
  check: CheckRow;
  last: { at: number; ok: boolean; ms: number | null; statusCode: number | null; error: string | null } | null;
  /** Successful runs over all runs, null without runs. */
  uptime24h: number | null;
  uptime90d: number | null;
  /** The certificate expires within the check's warning days (or has expired). */
  certWarning: boolean;
}

function uptimeSince(db: Db, since: number, checkId?: string): Map<string, number> {
  const rows = db
    .select({ checkId: checkResults.checkId, up: sql<number>`sum(${checkResults.ok})`, runs: sql<number>`count(*)` })
    .from(checkResults)
    .where(checkId ? and(eq(checkResults.checkId, checkId), gte(checkResults.at, since)) : gte(checkResults.at, since))
    .groupBy(checkResults.checkId)
    .all();
  return new Map(rows.filter((r) => r.runs > 0).map((r) => [r.checkId, r.up / r.runs]));
}

function summarize(db: Db, check: CheckRow, now: number, day: Map<string, number>, quarter: Map<string, number>): CheckSummary {
  const last = db
    .select({ at: checkResults.at, ok: checkResults.ok, ms: checkResults.ms, statusCode: checkResults.statusCode, error: checkResults.error })
    .from(checkResults)
    .where(eq(checkResults.checkId, check.id))
    .orderBy(desc(checkResults.at))
    .limit(1)
    .get();
  const certWarning = check.certWarnDays !== null && check.certExpiresAt !== null && check.certExpiresAt - now <= check.certWarnDays * DAY;
  return { check, last: last ?? null, uptime24h: day.get(check.id) ?? null, uptime90d: quarter.get(check.id) ?? null, certWarning };
}

/** Every check by name, with its latest result and uptime over 24 hours and 90 days. */
export function listChecks(db: Db, now: number): CheckSummary[] {
  const day = uptimeSince(db, now - DAY);
  const quarter = uptimeSince(db, now - 90 * DAY);
  return db
    .select()
    .from(checks)
    .orderBy(checks.name)
    .all()
    .map((c) => summarize(db, c, now, day, quarter));
}

export function findCheckSummary(db: Db, id: string, now: number): CheckSummary | undefined {
  const check = db.select().from(checks).where(eq(checks.id, id)).get();
  if (!check) return undefined;
  return summarize(db, check, now, uptimeSince(db, now - DAY, id), uptimeSince(db, now - 90 * DAY, id));
}

/** A check's values as its edit form shows them. */
export function checkFormValues(check: CheckRow): Record<string, string> {
  return {
    name: check.name,
    kind: check.kind,
    target: check.target,
    intervalSeconds: String(check.intervalSeconds),
    timeoutSeconds: String(Math.round(check.timeoutMs / 1000)),
    expectedStatus: check.expectedStatus,
    keyword: check.keyword ?? '',
    certWarnDays: check.certWarnDays === null ? '' : String(check.certWarnDays),
    failuresBefore: String(check.failuresBefore),
    labels: formatLabelLines(JSON.parse(check.labels) as Record<string, string>),
    enabled: check.enabled ? 'on' : '',
    version: String(check.version),
  };
}

export const CHART_RANGES = ['24h', '90d'] as const;
export type ChartRange = (typeof CHART_RANGES)[number];

export interface ChartBucket {
  start: number;
  end: number;
  runs: number;
  failures: number;
  /** Mean response time of the successful runs; null when none succeeded. */
  avgMs: number | null;
  maxMs: number | null;
}

/** The buckets of the chart: the last 24 hours by hour, or the last 90 local days by day. */
function chartBuckets(range: ChartRange, now: number, timeZone: string): { start: number; end: number }[] {
  if (range === '90d') return lastLocalDays(now, 90, timeZone).map((d) => ({ start: d.start, end: d.end }));
  const lastHour = Math.floor(now / HOUR) * HOUR;
  return Array.from({ length: 24 }, (_, i) => ({ start: lastHour - (23 - i) * HOUR, end: lastHour - (22 - i) * HOUR }));
}

/** One check's results over the range, folded per hour or per local day. */
export function checkChart(db: Db, checkId: string, range: ChartRange, now: number, timeZone: string): ChartBucket[] {
  const buckets = chartBuckets(range, now, timeZone).map((b) => ({ ...b, runs: 0, failures: 0, okRuns: 0, msSum: 0, maxMs: null as number | null }));
  const from = buckets[0]!.start;
  const slice = sql<number>`${checkResults.at} / ${sql.raw(String(SLICE))}`;
  const slices = db
    .select({
      slice,
      runs: sql<number>`count(*)`,
      failures: sql<number>`sum(1 - ${checkResults.ok})`,
      okRuns: sql<number>`sum(case when ${checkResults.ok} and ${checkResults.ms} is not null then 1 else 0 end)`,
      msSum: sql<number>`sum(case when ${checkResults.ok} then coalesce(${checkResults.ms}, 0) else 0 end)`,
      maxMs: sql<number | null>`max(case when ${checkResults.ok} then ${checkResults.ms} end)`,
    })
    .from(checkResults)
    .where(and(eq(checkResults.checkId, checkId), gte(checkResults.at, from)))
    .groupBy(slice)
    .all();
  let i = 0;
  for (const s of slices.sort((a, b) => a.slice - b.slice)) {
    const at = s.slice * SLICE;
    while (i < buckets.length && buckets[i]!.end <= at) i++;
    const b = buckets[i];
    if (!b || at < b.start) continue;
    b.runs += s.runs;
    b.failures += s.failures;
    b.okRuns += s.okRuns;
    b.msSum += s.msSum;
    if (s.maxMs !== null) b.maxMs = Math.max(b.maxMs ?? 0, s.maxMs);
  }
  return buckets.map((b) => ({
    start: b.start,
    end: b.end,
    runs: b.runs,
    failures: b.failures,
    avgMs: b.okRuns > 0 ? Math.round(b.msSum / b.okRuns) : null,
    maxMs: b.maxMs,
  }));
}

/** The latest results, newest first, for the table under the chart. */
export function recentResults(db: Db, checkId: string, limit = 20) {
  return db.select().from(checkResults).where(eq(checkResults.checkId, checkId)).orderBy(desc(checkResults.at)).limit(limit).all();
}

export function findCheck(db: Db, id: string): CheckRow | undefined {
  return db.select().from(checks).where(eq(checks.id, id)).get();
}

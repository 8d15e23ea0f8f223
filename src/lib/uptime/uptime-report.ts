// The uptime report (/uptime, /uptime.csv, /api/v2/uptime.json with a range):
// each component's uptime month by month against the target it is held to,
// measured from the same corrected ledger as the 90-day strip.
import { readSnapshot, type Db } from '../../../db/open';
import { fieldIssue, ShiraseError } from '../errors';
import type { Locale } from '../i18n/messages';
import { overlapsAny, type CorrectionSpan } from '../status/corrections';
import { computeUptime, type DayUptime } from '../status/uptime';
import { dateKey, localDateOf, localDaysBetween, localMonthsBetween, shiftDate, type LocalDate } from '../time';
import { loadCorrectionSpans } from '../uptime/corrections';
import { loadSlaTargets, targetFor } from '../uptime/sla-targets';
import { loadComponentTree, loadStatusLedgers } from '../components/load-components';
import type { PageScope } from '../pages/page-scope';

/** Calendars of days are drawn for ranges up to this many days; longer ones are told by month and year. */
const MAX_CALENDAR_DAYS = 400;
/** The longest range a report covers. */
const MAX_RANGE_DAYS = 3_660;

export interface UptimeRange {
  from: LocalDate;
  to: LocalDate;
}

/** Figures for one span: what was measured, what counted as down, against which target. */
export interface PeriodFigures {
  measuredMs: number;
  downMs: number;
  maintenanceMs: number;
  /** 0..1, or null when nothing was measured. */
  uptime: number | null;
  /** Percent, or null when no target applies. */
  target: number | null;
  /** Null when there is no target or nothing was measured. */
  breached: boolean | null;
  /** Downtime beyond what the target allows (0 when met). */
  overMs: number;
  /** Whether a correction by staff touches the span. */
  corrected: boolean;
}

export interface DayFigures extends PeriodFigures {
  key: string;
}

export interface MonthFigures extends PeriodFigures {
  /** `YYYY-MM` */
  key: string;
  year: number;
  month: number;
  start: number;
  end: number;
  /** The month's days inside the range, when the range is short enough for calendars. */
  days: DayFigures[] | null;
}

interface ComponentReport {
  id: string;
  name: string;
  groupName: string | null;
  target: number | null;
  total: PeriodFigures;
  months: MonthFigures[];
}

export interface UptimeReport {
  range: { from: string; to: string; start: number; end: number };
  timeZone: string;
  withDays: boolean;
  /** One component was asked for: the page's figures then describe only it. */
  filtered: boolean;
  /** The page as a whole: every component's time added together, against the page's target. */
  page: { target: number | null; total: PeriodFigures; months: MonthFigures[] };
  components: ComponentReport[];
}

/** The default range: the last twelve calendar months, this one so far. */
function defaultRange(now: number, timeZone: string): UptimeRange {
  const today = localDateOf(now, timeZone);
  const first = new Date(Date.UTC(today.year, today.month - 12, 1));
  return { from: { year: first.getUTCFullYear(), month: first.getUTCMonth() + 1, day: 1 }, to: today };
}

export type RangeProblem = 'format' | 'order' | 'tooLong' | 'future';

/**
 * Reads `from` and `to` (`YYYY-MM-DD`, the page's calendar dates, both
 * included); either one left out is taken from the default range.
 */
export function parseRange(
  from: string | null,
  to: string | null,
  now: number,
  timeZone: string,
): { range: UptimeRange } | { problem: RangeProblem; field: 'from' | 'to' } {
  const fallback = defaultRange(now, timeZone);
  const read = (raw: string | null, otherwise: LocalDate): LocalDate | null => {
    if (raw === null || raw.trim() === '') return otherwise;
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw.trim());
    if (!m) return null;
    const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
    // 2026-02-30 is not a date: it must read back as written.
    return dateKey(shiftDate(date, 0)) === m[0] && date.year >= 2000 ? date : null;
  };
  const start = read(from, fallback.from);
  if (!start) return { problem: 'format', field: 'from' };
  const end = read(to, fallback.to);
  if (!end) return { problem: 'format', field: 'to' };
  if (dateKey(end) < dateKey(start)) return { problem: 'order', field: 'to' };
  if (dateKey(start) > dateKey(fallback.to)) return { problem: 'future', field: 'from' };
  // A range running on past today ends today: there is nothing to count after it.
  if (dateKey(end) > dateKey(fallback.to)) return parseRange(dateKey(start), dateKey(fallback.to), now, timeZone);
  if (rangeDays({ from: start, to: end }) > MAX_RANGE_DAYS) return { problem: 'tooLong', field: 'to' };
  return { range: { from: start, to: end } };
}

function rangeDays(range: UptimeRange): number {
  return (Date.UTC(range.to.year, range.to.month - 1, range.to.day) - Date.UTC(range.from.year, range.from.month - 1, range.from.day)) / 86_400_000 + 1;
}

/** Uptime against a target: the downtime a target allows is (1 − target) of the time measured. */
export function figures(measuredMs: number, downMs: number, maintenanceMs: number, target: number | null, corrected: boolean): PeriodFigures {
  const uptime = measuredMs > 0 ? 1 - downMs / measuredMs : null;
  const allowedMs = target === null ? 0 : measuredMs * (1 - target / 100);
  // Half a millisecond of slack: a month exactly at its target is met, whatever the floating point says.
  const breached = target === null || uptime === null ? null : downMs - allowedMs > 0.5;
  return { measuredMs, downMs, maintenanceMs, uptime, target, breached, overMs: breached ? downMs - allowedMs : 0, corrected };
}

function sum(list: readonly PeriodFigures[], target: number | null): PeriodFigures {
  let measured = 0;
  let down = 0;
  let maintenance = 0;
  for (const f of list) {
    measured += f.measuredMs;
    down += f.downMs;
    maintenance += f.maintenanceMs;
  }
  return figures(
    measured,
    down,
    maintenance,
    target,
    list.some((f) => f.corrected),
  );
}

function fromUptime(d: DayUptime, target: number | null, spans: readonly CorrectionSpan[]): PeriodFigures {
  return figures(d.measuredMs, d.downMs, d.maintenanceMs, target, overlapsAny(spans, d.start, d.end));
}

/**
 * The report for `range` at `now`: every live component in page order, its
 * months (cut to the range) and, for short ranges, its days.
 */
export function buildUptimeReport(
  db: Db,
  range: UptimeRange,
  now: number,
  timeZone: string,
  locale?: Locale,
  options: { componentId?: string; page?: PageScope } = {},
): UptimeReport {
  return readSnapshot(db, () => {
    const tree = loadComponentTree(db, now, locale, options.page);
    const months = localMonthsBetween(range.from, range.to, timeZone);
    const withDays = rangeDays(range) <= MAX_CALENDAR_DAYS;
    const days = withDays ? localDaysBetween(range.from, range.to, timeZone) : [];
    const start = months[0]!.start;
    const end = months[months.length - 1]!.end;
    // Nothing after the range is read: an old range costs what its own history does.
    const ledgers = loadStatusLedgers(db, start, end);
    const corrections = loadCorrectionSpans(db, start, end);
    const targets = loadSlaTargets(db);
    const groupName = new Map(tree.groups.map((g) => [g.id, g.name]));
    const chosen = options.componentId === undefined ? tree.all : tree.all.filter((c) => c.id === options.componentId);
    const components: ComponentReport[] = chosen.map((c) => {
      const target = targetFor(targets, c.id);
      const ledger = ledgers.get(c.id) ?? [{ at: start, status: c.status }];
      const spans = corrections.get(c.id) ?? [];
      const monthly = computeUptime(ledger, months, c.createdAt, now).days;
      const daily = withDays ? computeUptime(ledger, days, c.createdAt, now).days : [];
      let d = 0;
      const monthRows: MonthFigures[] = monthly.map((m) => {
        const inMonth: DayFigures[] = [];
        while (d < daily.length && daily[d]!.start < m.end) {
          const day = daily[d++]!;
          inMonth.push({ key: day.key, ...fromUptime(day, target, spans) });
        }
        return {
          key: m.key,
          year: Number(m.key.slice(0, 4)),
          month: Number(m.key.slice(5)),
          start: m.start,
          end: m.end,
          ...fromUptime(m, target, spans),
          days: withDays ? inMonth : null,
        };
      });
      return {
        id: c.id,
        name: c.name,
        groupName: c.groupId ? (groupName.get(c.groupId) ?? null) : null,
        target,
        total: sum(monthRows, target),
        months: monthRows,
      };
    });
    const pageMonths: MonthFigures[] = months.map((m, i) => ({
      key: m.key,
      year: Number(m.key.slice(0, 4)),
      month: Number(m.key.slice(5)),
      start: m.start,
      end: m.end,
      ...sum(
        components.map((c) => c.months[i]!),
        targets.page,
      ),
      days: null,
    }));
    return {
      range: { from: dateKey(range.from), to: dateKey(range.to), start, end },
      timeZone,
      withDays,
      filtered: options.componentId !== undefined,
      page: { target: targets.page, total: sum(pageMonths, targets.page), months: pageMonths },
      components,
    };
  });
}

/** Calendar years of a long range, added up from its months, with how many months fell short. */
export function byYear(
  months: readonly MonthFigures[],
  target: number | null,
): { year: number; total: PeriodFigures; months: number; breachedMonths: number }[] {
  const years = new Map<number, MonthFigures[]>();
  for (const m of months) years.set(m.year, [...(years.get(m.year) ?? []), m]);
  return [...years].map(([year, list]) => ({ year, total: sum(list, target), months: list.length, breachedMonths: list.filter((m) => m.breached).length }));
}

export type ReportQuery =
  | { range: UptimeRange; componentId?: string; custom: boolean }
  | { problem: RangeProblem | 'component'; field: 'from' | 'to' | 'component'; values: Record<string, string> };

/**
 * What `/uptime`, `/uptime.csv` and `/api/v2/uptime.json` were asked for:
 * `from`, `to` and `component`, read the same way by all three so they agree.
 */
export function readReportQuery(params: URLSearchParams, componentIds: readonly string[], now: number, timeZone: string): ReportQuery {
  // What was typed is shown again in the form; no date or id is longer than this, so the rest of a long one is not.
  const kept = (name: string) => (params.get(name) ?? '').slice(0, 64);
  const values = { from: kept('from'), to: kept('to'), component: kept('component') };
  const parsed = parseRange(params.get('from'), params.get('to'), now, timeZone);
  if ('problem' in parsed) return { ...parsed, values };
  const componentId = values.component.trim() === '' ? undefined : values.component.trim();
  if (componentId !== undefined && !componentIds.includes(componentId)) return { problem: 'component', field: 'component', values };
  return { range: parsed.range, componentId, custom: ['from', 'to', 'component'].some((p) => params.has(p)) };
}

const minutes = (ms: number) => (Math.round(ms / 600) / 100).toFixed(2);
const percent = (ratio: number | null) => (ratio === null ? '' : (ratio * 100).toFixed(4));

/** The CSV columns, in order; names stay stable for spreadsheets built on them. */
export const UPTIME_CSV_HEADER = [
  'component',
  'component_id',
  'month',
  'measured_minutes',
  'downtime_minutes',
  'maintenance_minutes',
  'uptime_percent',
  'target_percent',
  'breached',
  'over_target_minutes',
  'corrected',
];

/** One row per component and month of the report, months cut to the range as the page shows them. */
export function uptimeCsvRows(report: UptimeReport): (string | null)[][] {
  return report.components.flatMap((c) =>
    c.months.map((m) => [
      c.name,
      c.id,
      m.key,
      minutes(m.measuredMs),
      minutes(m.downMs),
      minutes(m.maintenanceMs),
      percent(m.uptime),
      m.target === null ? '' : String(m.target),
      m.breached === null ? '' : m.breached ? 'yes' : 'no',
      minutes(m.overMs),
      m.corrected ? 'yes' : 'no',
    ]),
  );
}

const PROBLEM_KEYS = {
  format: 'errors.field.uptimeDate',
  order: 'errors.field.uptimeOrder',
  tooLong: 'errors.field.uptimeTooLong',
  future: 'errors.field.uptimeFuture',
  component: 'errors.field.uptimeComponent',
} as const;

/** A query the report cannot answer, as the error the API and the page say. */
export function reportQueryError(query: Extract<ReportQuery, { problem: string }>): ShiraseError {
  return new ShiraseError('BAD_REQUEST', 'errors.uptime.badRange', { fields: [fieldIssue(query.field, PROBLEM_KEYS[query.problem])], hintListsFields: true });
}

/** A month's days laid out in weeks from Sunday, blanks before the first and after the last day shown. */
export function calendarWeeks(month: MonthFigures): (DayFigures | null)[][] {
  const days = month.days ?? [];
  if (days.length === 0) return [];
  const first = days[0]!.key;
  const lead = new Date(Date.UTC(Number(first.slice(0, 4)), Number(first.slice(5, 7)) - 1, Number(first.slice(8)))).getUTCDay();
  const cells: (DayFigures | null)[] = [...Array<null>(lead).fill(null), ...days];
  while (cells.length % 7 !== 0) cells.push(null);
  return Array.from({ length: cells.length / 7 }, (_, w) => cells.slice(w * 7, w * 7 + 7));
}

/** How dark a day is drawn: by the share of it that was down, with maintenance and "nothing measured" apart. */
export function dayShade(day: PeriodFigures): 'nodata' | 'maintenance' | 'up' | 'minor' | 'partial' | 'major' {
  if (day.uptime === null) return day.maintenanceMs > 0 ? 'maintenance' : 'nodata';
  if (day.downMs === 0) return 'up';
  if (day.uptime >= 0.99) return 'minor';
  if (day.uptime >= 0.9) return 'partial';
  return 'major';
}

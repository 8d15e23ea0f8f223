// The `{{sla}}` block of a postmortem: for each component the incidents
// touched, its uptime in each month they touched against its target, and how
// much of that month's downtime fell within the incidents themselves.
import type { Db } from '../../../db/open';
import type { Locale } from '../i18n/messages';
import { computeUptime } from '../status/uptime';
import { localDateOf, type LocalDay } from '../time';
import { loadStatusLedgers } from '../components/load-components';
import type { IncidentView } from '../incidents/load-incidents';
import { buildUptimeReport, type MonthFigures } from '../uptime/uptime-report';

interface SlaRow {
  componentId: string;
  name: string;
  month: MonthFigures;
  /** Downtime (weighted as the report weighs it) between an incident's start and its resolution, in this month. */
  incidentDownMs: number;
}

/** The incidents' own spans, merged where they overlap, oldest first. */
function incidentSpans(outages: readonly IncidentView[], now: number): { start: number; end: number }[] {
  const spans = outages.map((i) => ({ start: i.startedAt, end: i.resolvedAt ?? now })).sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  return merged;
}

export interface SlaBlock {
  /** By component in page order, then by month. */
  rows: SlaRow[];
  /** The whole months covered, as the uptime report's range (`YYYY-MM-DD`). */
  from: string;
  to: string;
}

/** The block for a postmortem's incidents, or null when it covers no outage. */
export function buildSlaBlock(db: Db, incidents: readonly IncidentView[], timeZone: string, now: number, locale?: Locale): SlaBlock | null {
  const outages = incidents.filter((i) => i.kind === 'incident');
  if (outages.length === 0) return null;
  const spans = incidentSpans(outages, now);
  const first = localDateOf(spans[0]!.start, timeZone);
  const last = localDateOf(Math.min(spans[spans.length - 1]!.end, now), timeZone);
  const lastDay = new Date(Date.UTC(last.year, last.month, 0)).getUTCDate();
  // Whole months: the report's months are the calendar months the incidents fell in.
  const report = buildUptimeReport(db, { from: { ...first, day: 1 }, to: { ...last, day: lastDay } }, now, timeZone, locale);
  const affected = new Set(outages.flatMap((i) => i.components.map((c) => c.id)));
  const ledgers = loadStatusLedgers(db, report.range.start, report.range.end);
  const rows: SlaRow[] = [];
  for (const c of report.components.filter((c) => affected.has(c.id))) {
    const ledger = ledgers.get(c.id) ?? [];
    for (const month of c.months) {
      const inMonth: LocalDay[] = spans
        .map((s) => ({ key: month.key, start: Math.max(s.start, month.start), end: Math.min(s.end, month.end) }))
        .filter((s) => s.end > s.start);
      if (inMonth.length === 0) continue;
      const incidentDownMs = computeUptime(ledger, inMonth, 0, now).days.reduce((sum, d) => sum + d.downMs, 0);
      rows.push({ componentId: c.id, name: c.name, month, incidentDownMs });
    }
  }
  return { rows, from: report.range.from, to: report.range.to };
}

// An incident's phases on a time axis, drawn as SVG on the server. Each phase
// is a band with a text label and a pattern as well as a colour, so it reads
// without colour and in print.
import type { IncidentView } from '../incidents/load-incidents';
import type { IncidentFigures } from './metrics';
import { escapeHtml } from '../text/escape-html';
import { t, type Locale } from '../i18n/messages';
import { formatDateTime, formatTime, formatDuration } from '../i18n/format';
import { isClosedStatus } from '../status/vocabulary';

const FILLS: Record<string, string> = {
  investigating: '#b3261e',
  identified: '#a33f00',
  monitoring: '#2f5fb3',
  scheduled: '#5c6670',
  in_progress: '#2f5fb3',
  verifying: '#2f5fb3',
};

/**
 * The chart, followed by the same phases as a list: on a narrow screen the
 * chart's words would shrink below reading size, so the list takes their place
 * there (styles.css).
 */
export function phasesSvg(
  incident: IncidentView,
  locale: Locale,
  timeZone: string,
  now: number,
  /** A postmortem's figures (metrics.ts): the chart then spans their impact and leaves out notes written afterwards. */
  figures?: Pick<IncidentFigures, 'start' | 'end' | 'afterwards'>,
): string {
  const start = figures ? figures.start : incident.startedAt;
  const end = (figures ? figures.end : incident.resolvedAt) ?? now;
  const leftOut = new Set(figures?.afterwards);
  const updates = incident.updates.filter((u) => !leftOut.has(u.id));
  const span = Math.max(end - start, 60_000);
  const width = 720;
  const x = (ms: number) => Math.round(((ms - start) / span) * (width - 20)) + 10;
  const phases: { status: string; from: number; to: number }[] = [];
  const points = [{ status: 'investigating', at: start }, ...updates.map((u) => ({ status: u.status as string, at: Math.max(start, u.displayAt) }))];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (isClosedStatus(p.status)) break;
    const to = points[i + 1]?.at ?? end;
    const last = phases[phases.length - 1];
    if (last && last.status === p.status) last.to = to;
    else if (to > p.at) phases.push({ status: p.status, from: p.at, to });
  }
  const bands = phases
    .map((p) => {
      const label = t(locale, `status.update.${p.status as 'investigating'}`);
      const w = Math.max(1, x(p.to) - x(p.from));
      const title = `${label}: ${formatDateTime(p.from, locale, timeZone)} – ${formatDateTime(p.to, locale, timeZone)} (${formatDuration(p.to - p.from, locale)})`;
      // The times are also given as instants, so the reader's zone can be shown instead (public/local-time.js).
      const zoned = `data-label="${escapeHtml(label)}" data-from="${p.from}" data-to="${p.to}" data-duration="${escapeHtml(formatDuration(p.to - p.from, locale))}"`;
      return `<g><title ${zoned}>${escapeHtml(title)}</title><rect x="${x(p.from)}" y="20" width="${w}" height="28" fill="${FILLS[p.status] ?? '#5c6670'}"/><rect x="${x(p.from)}" y="20" width="${w}" height="28" fill="url(#hatch-${p.status === 'investigating' ? 'a' : p.status === 'identified' ? 'b' : 'c'})"/>${w > 70 ? `<text x="${x(p.from) + 4}" y="39" fill="#fff" font-size="12">${escapeHtml(label)}</text>` : ''}</g>`;
    })
    .join('');
  const legend = phases
    .map((p) => {
      const label = t(locale, `status.update.${p.status as 'investigating'}`);
      return `<li><span class="phase-swatch phase-${escapeHtml(p.status)}" aria-hidden="true"></span><strong>${escapeHtml(label)}</strong> ${escapeHtml(formatTime(p.from, locale, timeZone))} – ${escapeHtml(formatTime(p.to, locale, timeZone))} (${escapeHtml(formatDuration(p.to - p.from, locale))})</li>`;
    })
    .join('');
  const ticks = [start, start + span / 2, end]
    .map(
      (ms, i) =>
        `<text x="${x(ms)}" data-tick-at="${Math.round(ms)}" y="68" font-size="11" text-anchor="${i === 0 ? 'start' : i === 2 ? 'end' : 'middle'}" fill="currentColor">${escapeHtml(formatTime(ms, locale, timeZone))}</text>`,
    )
    .join('');
  const summary = phases.map((p) => `${t(locale, `status.update.${p.status as 'investigating'}`)} ${formatDuration(p.to - p.from, locale)}`).join(', ');
  return `<svg class="phases" viewBox="0 0 ${width} 76" role="img" aria-label="${escapeHtml(t(locale, 'postmortem.phases') + ': ' + summary)}" xmlns="http://www.w3.org/2000/svg"><defs><pattern id="hatch-a" width="6" height="6" patternUnits="userSpaceOnUse"><path d="M0 6L6 0" stroke="#fff" stroke-opacity=".35"/></pattern><pattern id="hatch-b" width="6" height="6" patternUnits="userSpaceOnUse"><circle cx="3" cy="3" r="1" fill="#fff" fill-opacity=".4"/></pattern><pattern id="hatch-c" width="6" height="6" patternUnits="userSpaceOnUse"><path d="M0 3H6" stroke="#fff" stroke-opacity=".3"/></pattern></defs>${bands}<line x1="10" y1="54" x2="${width - 10}" y2="54" stroke="currentColor" stroke-opacity=".5"/>${ticks}</svg><ol class="phases-legend">${legend}</ol>`;
}

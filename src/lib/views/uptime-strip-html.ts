// The uptime strip is the largest part of the status page (a cell per day per
// component), so it is built as one string here rather than node by node in a
// template: the page renders several times faster and reads the same.
import { t, type Locale } from '../i18n/messages';
import { formatDate, formatDuration, formatPercent } from '../i18n/format';
import type { ComponentWithUptime, UptimeCell } from './status-page';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function level(d: UptimeCell): string {
  if (d.uptime === null) return 'nodata';
  switch (d.worst) {
    case 'major_outage':
      return 'major';
    case 'partial_outage':
      return 'partial';
    case 'degraded_performance':
      return 'degraded';
    default:
      return 'ok';
  }
}

function describe(d: UptimeCell, locale: Locale, timeZone: string): string {
  const date = formatDate(d.start, locale, timeZone);
  const parts = [d.uptime === null ? t(locale, 'uptime.cellNoData', { date }) : t(locale, 'uptime.cell', { date, percent: formatPercent(d.uptime, locale) })];
  if (d.incidents.length > 0) parts.push(t(locale, 'uptime.cellIncidents', { names: d.incidents.map((i) => i.name).join('; ') }));
  if (d.maintenanceMs > 0) parts.push(t(locale, 'uptime.cellMaintenance', { duration: formatDuration(d.maintenanceMs, locale) }));
  return parts.join('. ');
}

// A day without incidents or maintenance reads the same for every component
// and on every render, so its cell is built once and kept.
const plainCells = new Map<string, string>();
const MAX_PLAIN_CELLS = 10_000;

function cellHtml(d: UptimeCell, locale: Locale, timeZone: string, linkPrefix: string): string {
  const open = `<li class="cell cell-${level(d)}" tabindex="0"><span class="cell-detail" role="tooltip">`;
  if (d.incidents.length > 0) {
    const links = d.incidents.map((i) => `<a href="${escapeHtml(linkPrefix)}/incidents/${escapeHtml(i.id)}" tabindex="-1">${escapeHtml(i.name)}</a>`).join('');
    return `${open}${escapeHtml(describe(d, locale, timeZone))}<span class="cell-links">${links}</span></span></li>`;
  }
  const key = `${locale}|${timeZone}|${d.start}|${d.uptime}|${d.worst}|${d.maintenanceMs}`;
  let html = plainCells.get(key);
  if (html === undefined) {
    html = `${open}${escapeHtml(describe(d, locale, timeZone))}</span></li>`;
    if (plainCells.size >= MAX_PLAIN_CELLS) plainCells.clear();
    plainCells.set(key, html);
  }
  return html;
}

/** The cells of one component's strip as an HTML list; every text is escaped. The bars are drawn by CSS. */
export function uptimeCellsHtml(component: ComponentWithUptime, locale: Locale, timeZone: string, linkPrefix = ''): string {
  let html = '';
  for (const d of component.uptime.days) html += cellHtml(d, locale, timeZone, linkPrefix);
  return html;
}

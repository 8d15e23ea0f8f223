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

/** The cells of one component's strip as an HTML list; every text is escaped. */
export function uptimeCellsHtml(component: ComponentWithUptime, locale: Locale, timeZone: string, linkPrefix = ''): string {
  let html = '';
  for (const d of component.uptime.days) {
    const links = d.incidents.length
      ? `<span class="cell-links">${d.incidents.map((i) => `<a href="${escapeHtml(linkPrefix)}/incidents/${escapeHtml(i.id)}" tabindex="-1">${escapeHtml(i.name)}</a>`).join('')}</span>`
      : '';
    html += `<li class="cell cell-${level(d)}" data-day="${d.key}" tabindex="0"><span class="cell-bar" aria-hidden="true"></span><span class="cell-detail" role="tooltip">${escapeHtml(describe(d, locale, timeZone))}${links}</span></li>`;
  }
  return html;
}

// The uptime strip is the largest part of the status page (a cell per day per
// component), so it is built as one string here rather than node by node in a
// template: the page renders several times faster and reads the same.
import { t, type Locale } from '../i18n/messages';
import { formatDate, formatDuration, formatPercent } from '../i18n/format';
import type { ComponentWithUptime, UptimeCell } from '../uptime/component-uptime';
import { escapeHtml } from '../text/escape-html';

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

// A day reads the same for every component with the same uptime and
// incidents, and on every render until something changes, so each cell's
// HTML is kept: per language, zone and link prefix, then per day.
interface KnownCell {
  uptime: number | null;
  worst: string;
  maintenanceMs: number;
  incidents: UptimeCell['incidents'];
  html: string;
}
const knownCells = new Map<string, Map<number, KnownCell[]>>();
const MAX_DAYS_KNOWN = 2_000;

function sameIncidents(a: UptimeCell['incidents'], b: UptimeCell['incidents']): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.every((x, i) => x.id === b[i]!.id && x.name === b[i]!.name);
}

function buildCell(d: UptimeCell, locale: Locale, timeZone: string, linkPrefix: string): string {
  // The words show on hover and focus (styles.css), or in the day sheet (uptime-strip.js); a screen reader reads them as the cell's text.
  // One tab stop per strip: every day is focusable, only today is in the tab order until the arrow keys move it.
  const open = `<li class="cell cell-${level(d)}" tabindex="-1" data-day="${d.start}"><span>${escapeHtml(describe(d, locale, timeZone))}`;
  if (d.incidents.length === 0) return `${open}</span></li>`;
  const links = d.incidents.map((i) => `<a href="${escapeHtml(linkPrefix)}/incidents/${escapeHtml(i.id)}" tabindex="-1">${escapeHtml(i.name)}</a>`).join('');
  return `${open}<span class="cell-links">${links}</span></span></li>`;
}

/** The cells of one component's strip as an HTML list; every text is escaped. The bars are drawn by CSS. */
export function uptimeCellsHtml(component: ComponentWithUptime, locale: Locale, timeZone: string, linkPrefix = ''): string {
  const scope = `${locale}|${timeZone}|${linkPrefix}`;
  let byDay = knownCells.get(scope);
  if (!byDay) knownCells.set(scope, (byDay = new Map()));
  if (byDay.size > MAX_DAYS_KNOWN) byDay.clear();
  let html = '';
  let last = '';
  for (const d of component.uptime.days) {
    let known = byDay.get(d.start);
    if (!known) byDay.set(d.start, (known = []));
    let cell = known.find(
      (k) => k.uptime === d.uptime && k.worst === d.worst && k.maintenanceMs === d.maintenanceMs && sameIncidents(k.incidents, d.incidents),
    );
    if (!cell) {
      cell = { uptime: d.uptime, worst: d.worst, maintenanceMs: d.maintenanceMs, incidents: d.incidents, html: buildCell(d, locale, timeZone, linkPrefix) };
      // A day's variants are few (one per distinct outage); a long list means the day is still running: keep the latest.
      if (known.length >= 64) known.length = 0;
      known.push(cell);
    }
    html += last;
    last = cell.html;
  }
  return html + last.replace('tabindex="-1"', 'tabindex="0"');
}

// A month of the uptime report as table rows, built as one string like the
// strip (uptime-strip-html.ts): a report of twelve months for fifty components
// is eighteen thousand days, and node-by-node templating would take most of
// the render.
import { t, type Locale } from '../i18n/messages';
import { formatDuration, formatPercent } from '../i18n/format';
import { escapeHtml } from '../text/escape-html';
import { calendarWeeks, dayShade, type DayFigures, type MonthFigures } from '../uptime/uptime-report';

/** What a day says, in words: read by screen readers in the cell, and written under the calendar when the day is chosen. */
function dayWords(d: DayFigures, locale: Locale): string {
  const parts = [
    d.uptime === null
      ? t(locale, d.maintenanceMs > 0 ? 'sla.dayMaintenance' : 'uptime.noData')
      : d.downMs === 0
        ? t(locale, 'sla.dayNoDown', { percent: formatPercent(d.uptime, locale) })
        : t(locale, 'sla.dayUptime', { percent: formatPercent(d.uptime, locale), duration: formatDuration(d.downMs, locale) }),
  ];
  if (d.uptime !== null && d.maintenanceMs > 0) parts.push(t(locale, 'uptime.cellMaintenance', { duration: formatDuration(d.maintenanceMs, locale) }));
  if (d.corrected) parts.push(t(locale, 'sla.corrected'));
  return parts.join(' · ');
}

/** The month's weeks as `<tr>` rows of day cells (blank cells outside the month or the range); every text is escaped. */
export function calendarRowsHtml(month: MonthFigures, locale: Locale): string {
  // Most days of a report read alike ("100.00% uptime, no downtime"): their words are built once.
  const said = new Map<string, string>();
  let html = '';
  for (const week of calendarWeeks(month)) {
    html += '<tr>';
    for (const d of week) {
      if (!d) {
        html += '<td class="blank"></td>';
        continue;
      }
      const key = `${d.uptime}|${d.downMs}|${d.maintenanceMs}|${d.corrected}`;
      let words = said.get(key);
      if (words === undefined) said.set(key, (words = escapeHtml(dayWords(d, locale))));
      html += `<td class="shade-${dayShade(d)}${d.corrected ? ' corrected' : ''}" data-day="${d.key}">${Number(d.key.slice(8))}<span class="visually-hidden">: ${words}</span></td>`;
    }
    html += '</tr>';
  }
  return html;
}

const heads = new Map<Locale, string>();

/** The weekday header row, Sunday first: a narrow name shown, the full name (`abbr`) for screen readers. Built once per language. */
export function calendarHeadHtml(locale: Locale): string {
  let html = heads.get(locale);
  if (html === undefined) {
    const tag = locale === 'ja' ? 'ja-JP' : 'en-GB';
    const narrow = new Intl.DateTimeFormat(tag, { weekday: 'narrow', timeZone: 'UTC' });
    const long = new Intl.DateTimeFormat(tag, { weekday: 'long', timeZone: 'UTC' });
    // January 7, 2024 was a Sunday.
    const days = [0, 1, 2, 3, 4, 5, 6].map((i) => Date.UTC(2024, 0, 7 + i));
    html = `<tr>${days.map((d) => `<th scope="col" abbr="${escapeHtml(long.format(d))}">${escapeHtml(narrow.format(d))}</th>`).join('')}</tr>`;
    heads.set(locale, html);
  }
  return html;
}

const shortDates = new Map<Locale, Intl.DateTimeFormat>();

/** A report day (`YYYY-MM-DD`) as "18 Jun" or "6月18日". */
export function shortDay(key: string, locale: Locale): string {
  let f = shortDates.get(locale);
  if (!f) shortDates.set(locale, (f = new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', { month: 'short', day: 'numeric', timeZone: 'UTC' })));
  return f.format(Date.UTC(Number(key.slice(0, 4)), Number(key.slice(5, 7)) - 1, Number(key.slice(8))));
}

// A check's response times and failures as SVG, drawn on the server from the
// buckets of check-views.ts. Drawn twice, wide and narrow, so the words stay
// at reading size on a phone (admin.css shows one of them); colours come from
// the page's own variables, so the chart follows light and dark.
import { escapeHtml } from '../text/escape-html';
import { t, type Locale } from '../i18n/messages';
import { formatDate, formatDateTime, formatPercent, formatTime, zoneAbbreviation } from '../i18n/format';

const dayMonth = new Map<string, Intl.DateTimeFormat>();
/** "31 Oct", "10/31": a tick needs no year, and a narrow chart has no room for one. */
function formatDayMonth(ms: number, locale: Locale, timeZone: string): string {
  const key = `${locale}|${timeZone}`;
  let f = dayMonth.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', { timeZone, month: locale === 'ja' ? 'numeric' : 'short', day: 'numeric' });
    dayMonth.set(key, f);
  }
  return f.format(ms);
}
import type { ChartBucket, ChartRange } from './check-views';

/** The smallest 1, 2 or 5 times a power of ten at or above `value`. */
function niceCeiling(value: number): number {
  if (value <= 0) return 100;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= value) ?? 10 * power;
}

function bucketTitle(b: ChartBucket, range: ChartRange, locale: Locale, timeZone: string): string {
  const when =
    range === '90d' ? formatDate(b.start, locale, timeZone) : `${formatDateTime(b.start, locale, timeZone)} – ${formatTime(b.end, locale, timeZone)}`;
  if (b.runs === 0) return t(locale, 'checks.chart.bucketEmpty', { when });
  return t(locale, 'checks.chart.bucket', {
    when,
    runs: b.runs,
    failures: b.failures,
    avg: b.avgMs === null ? '–' : String(b.avgMs),
    max: b.maxMs === null ? '–' : String(b.maxMs),
    uptime: formatPercent((b.runs - b.failures) / b.runs, locale),
  });
}

function draw(buckets: ChartBucket[], range: ChartRange, locale: Locale, timeZone: string, width: number, labelEvery: number, idPrefix: string): string {
  const height = 230;
  const left = 52;
  const right = 10;
  const top = 26;
  const plotBottom = 150;
  const failTop = 160;
  const failBottom = 184;
  const plotWidth = width - left - right;
  const step = plotWidth / buckets.length;
  const maxMs = niceCeiling(Math.max(0, ...buckets.map((b) => b.avgMs ?? 0)));
  const y = (ms: number) => plotBottom - (ms / maxMs) * (plotBottom - top);
  const xMid = (i: number) => left + step * i + step / 2;
  const r = (n: number) => Math.round(n * 10) / 10;

  const grid = [0, 0.5, 1]
    .map((f) => {
      const ms = maxMs * f;
      return `<line x1="${left}" x2="${width - right}" y1="${r(y(ms))}" y2="${r(y(ms))}" class="chart-grid"/><text x="${left - 6}" y="${r(y(ms) + 4)}" text-anchor="end" class="chart-text">${ms}</text>`;
    })
    .join('');
  // The line breaks where a bucket has no successful run, rather than drawing through it.
  let path = '';
  let pen = false;
  buckets.forEach((b, i) => {
    if (b.avgMs === null) {
      pen = false;
      return;
    }
    path += `${pen ? 'L' : 'M'}${r(xMid(i))} ${r(y(b.avgMs))}`;
    pen = true;
  });
  const dots = buckets.map((b, i) => (b.avgMs === null ? '' : `<circle cx="${r(xMid(i))}" cy="${r(y(b.avgMs))}" r="2" class="chart-dot"/>`)).join('');
  const failures = buckets
    .map((b, i) => {
      if (b.failures === 0) return '';
      const h = Math.max(5, (b.failures / b.runs) * (failBottom - failTop));
      return `<rect x="${r(left + step * i + 0.5)}" y="${r(failBottom - h)}" width="${r(Math.max(1, step - 1))}" height="${r(h)}" class="chart-fail" fill="url(#${idPrefix}-hatch)"/>`;
    })
    .join('');
  // A column per bucket, the width of the chart, that says what the bucket holds when pointed at.
  const hover = buckets
    .map(
      (b, i) =>
        `<rect x="${r(left + step * i)}" y="${top}" width="${r(step)}" height="${failBottom - top}" class="chart-hover"><title>${escapeHtml(bucketTitle(b, range, locale, timeZone))}</title></rect>`,
    )
    .join('');
  const ticks = buckets
    .map((b, i) => {
      if ((buckets.length - 1 - i) % labelEvery !== 0) return '';
      const label = range === '90d' ? formatDayMonth(b.start, locale, timeZone) : formatTime(b.start, locale, timeZone);
      const anchor = i === buckets.length - 1 ? 'end' : i === 0 ? 'start' : 'middle';
      return `<line x1="${r(xMid(i))}" x2="${r(xMid(i))}" y1="${failBottom}" y2="${failBottom + 4}" class="chart-axis"/><text x="${r(anchor === 'end' ? left + step * (i + 1) : xMid(i))}" y="${failBottom + 17}" text-anchor="${anchor}" class="chart-text">${escapeHtml(label)}</text>`;
    })
    .join('');
  const zone = `${timeZone} (${zoneAbbreviation(buckets[buckets.length - 1]!.start, timeZone)})`;
  const axisTitle = t(locale, range === '90d' ? 'checks.chart.axisDays' : 'checks.chart.axisHours', { zone });
  return (
    `<svg class="check-chart-svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" focusable="false">` +
    `<defs><pattern id="${idPrefix}-hatch" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" class="chart-fail-fill"/><path d="M0 5L5 0" class="chart-fail-hatch"/></pattern></defs>` +
    `<text x="${left - 6}" y="12" text-anchor="end" class="chart-text chart-unit">ms</text>` +
    grid +
    `<path d="${path}" class="chart-line"/>${dots}` +
    `<text x="${left - 6}" y="${failBottom - 6}" text-anchor="end" class="chart-text">${escapeHtml(t(locale, 'checks.chart.failShort'))}</text>` +
    `<line x1="${left}" x2="${width - right}" y1="${failBottom}" y2="${failBottom}" class="chart-axis"/>${failures}${hover}${ticks}` +
    `<text x="${left + plotWidth / 2}" y="${height - 8}" text-anchor="middle" class="chart-text chart-axis-title">${escapeHtml(axisTitle)}</text>` +
    `</svg>`
  );
}

/**
 * The chart as one figure: a sentence that says it all for screen readers and
 * a legend, around a wide and a narrow drawing of the same buckets.
 */
export function checkChartSvg(buckets: ChartBucket[], range: ChartRange, locale: Locale, timeZone: string): string {
  const runs = buckets.reduce((n, b) => n + b.runs, 0);
  const failed = buckets.reduce((n, b) => n + b.failures, 0);
  const okBuckets = buckets.filter((b) => b.avgMs !== null);
  const avg = okBuckets.length ? Math.round(okBuckets.reduce((n, b) => n + b.avgMs!, 0) / okBuckets.length) : null;
  const summary =
    runs === 0
      ? t(locale, 'checks.chart.noRuns')
      : t(locale, range === '90d' ? 'checks.chart.summary90d' : 'checks.chart.summary24h', {
          runs,
          failed,
          avg: avg === null ? '–' : String(avg),
          zone: timeZone,
        });
  const wide = draw(buckets, range, locale, timeZone, 760, range === '90d' ? 15 : 4, 'w');
  const narrow = draw(buckets, range, locale, timeZone, 340, range === '90d' ? 30 : 8, 'n');
  return (
    `<figure class="check-chart">` +
    `<div role="img" aria-label="${escapeHtml(summary)}"><div class="chart-wide">${wide}</div><div class="chart-narrow">${narrow}</div></div>` +
    `<figcaption><span class="legend-line" aria-hidden="true"></span> ${escapeHtml(t(locale, 'checks.chart.legendMs'))} <span class="legend-fail" aria-hidden="true"></span> ${escapeHtml(t(locale, 'checks.chart.legendFail'))}<br/>${escapeHtml(summary)}</figcaption>` +
    `</figure>`
  );
}

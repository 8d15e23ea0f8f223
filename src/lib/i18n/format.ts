import type { Locale } from './messages';
import { splitDuration } from '../time';

const cache = new Map<string, Intl.DateTimeFormat>();

// Building an Intl formatter costs far more than using one, and a page formats
// hundreds of dates and numbers: each is built once per shape and kept.
function formatter(locale: Locale, timeZone: string, options: Intl.DateTimeFormatOptions, tag = locale === 'ja' ? 'ja-JP' : 'en-GB'): Intl.DateTimeFormat {
  const key = `${tag}|${timeZone}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(tag, { timeZone, ...options });
    cache.set(key, f);
  }
  return f;
}

export function formatDateTime(ms: number, locale: Locale, timeZone: string): string {
  return formatter(locale, timeZone, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(ms);
}

export function formatTime(ms: number, locale: Locale, timeZone: string): string {
  return formatter(locale, timeZone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
}

export function formatDate(ms: number, locale: Locale, timeZone: string): string {
  return formatter(locale, timeZone, { dateStyle: 'medium' }).format(ms);
}

export function formatLongDate(ms: number, locale: Locale, timeZone: string): string {
  return formatter(locale, timeZone, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' }).format(ms);
}

export function formatMonth(year: number, month: number, locale: Locale): string {
  return formatter(locale, 'UTC', { year: 'numeric', month: 'long' }).format(Date.UTC(year, month - 1, 15));
}

/** The zone's short name at an instant, such as JST or GMT+9. */
export function zoneAbbreviation(ms: number, timeZone: string): string {
  const part = formatter('en', timeZone, { timeZoneName: 'short' }, 'en-US')
    .formatToParts(ms)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? timeZone;
}

/** "19 h 40 min", "2 d 3 h", "12 min": compact and unambiguous in both languages. */
export function formatDuration(ms: number, locale: Locale): string {
  const { days, hours, minutes } = splitDuration(ms);
  const u = locale === 'ja' ? { d: '日', h: '時間', m: '分' } : { d: ' d', h: ' h', m: ' min' };
  const parts: string[] = [];
  if (days) parts.push(`${days}${u.d}`);
  if (hours) parts.push(`${hours}${u.h}`);
  if (minutes || parts.length === 0) parts.push(`${minutes}${u.m}`);
  return parts.join(' ');
}

const percentFormatters = new Map<Locale, Intl.NumberFormat>();
function percentFormatter(locale: Locale): Intl.NumberFormat {
  let f = percentFormatters.get(locale);
  if (!f) {
    f = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    percentFormatters.set(locale, f);
  }
  return f;
}

export function formatPercent(ratio: number, locale: Locale): string {
  // Floor rather than round so a day with any downtime never shows 100 %.
  const floored = Math.floor(ratio * 10000) / 100;
  return `${percentFormatter(locale).format(floored)}%`;
}

import ical, { ICalEventRepeatingFreq, ICalEventStatus, type ICalCalendar } from 'ical-generator';
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import { DateTime } from 'luxon';
import { and, eq, gte, inArray } from 'drizzle-orm';
import { readSnapshot, type Db } from '../../../db/open';
import { incidents, maintenanceSeries } from '../../../db/schema';
import { oneLine, withoutControlCharacters } from '../control-characters';
import type { Config } from '../config';
import { t, type Locale } from '../i18n/messages';
import { isPublicId } from '../ids';
import { loadIncidents, type IncidentView } from '../incidents/load-incidents';
import type { PageScope } from '../pages/page-scope';

/** How long a finished window stays in /maintenance.ics, so calendars see it completed or cancelled. */
const RECENT_WINDOW_DAYS = 30;
const CALENDAR_EVENTS = 500;

export const CALENDAR_CONTENT_TYPE = 'text/calendar; charset=utf-8';

/**
 * A window was cancelled when it was closed before its work began: the
 * timers and staff both post "in progress" when work starts, and a
 * cancellation completes the window without it.
 */
function isCancelledWindow(window: Pick<IncidentView, 'status' | 'updates'>): boolean {
  return window.status === 'completed' && !window.updates.some((u) => u.status === 'in_progress');
}

/**
 * Every maintenance window that has not ended, and those that ended in the
 * last RECENT_WINDOW_DAYS days, as an iCalendar (RFC 5545) file: one event per
 * window with a UID that never changes, SEQUENCE raised by every change, and
 * STATUS:CANCELLED once cancelled. Times are in the site's zone (with its
 * VTIMEZONE), so a calendar shows them at the wall-clock time the page does.
 */
export function buildMaintenanceCalendar(db: Db, config: Config, now: number, language?: Locale, page?: PageScope): string {
  return readSnapshot(db, () => {
    const locale = language ?? config.defaultLocale;
    const windows = loadIncidents(db, and(eq(incidents.kind, 'maintenance'), gte(incidents.scheduledUntil, now - RECENT_WINDOW_DAYS * 86_400_000)), {
      limit: CALENDAR_EVENTS,
      locale,
      page,
    });
    const calendar = newCalendar(config, locale, t(locale, 'calendar.name', { site: config.siteName }), `${siteIn(config, locale)}/maintenance.ics`);
    const seriesOf = seriesIds(
      db,
      windows.map((w) => w.id),
    );
    const series = new Set<string>();
    for (const w of windows.sort((a, b) => (a.scheduledFor ?? 0) - (b.scheduledFor ?? 0))) {
      const seriesId = seriesOf.get(w.id);
      if (!seriesId) addWindow(calendar, config, locale, w);
      else if (!series.has(seriesId)) {
        series.add(seriesId);
        addSeries(db, calendar, config, locale, seriesId);
      }
    }
    return withTimeZone(calendar.toString(), config.timeZone);
  });
}

/** One window's calendar (`/incidents/<id>.ics`); undefined unless the id names a maintenance window. */
export function buildWindowCalendar(db: Db, config: Config, id: string, language?: Locale, page?: PageScope): string | undefined {
  return readSnapshot(db, () => {
    if (!isPublicId(id)) return undefined;
    const locale = language ?? config.defaultLocale;
    const window = loadIncidents(db, eq(incidents.id, id), { locale, page })[0];
    if (!window || window.kind !== 'maintenance' || window.scheduledFor === null || window.scheduledUntil === null) return undefined;
    const calendar = newCalendar(config, locale, window.name, `${siteIn(config, locale)}/incidents/${id}.ics`);
    // One window of a series is added as the series, so the calendar holds one repeating event, as /maintenance.ics does.
    const seriesId = seriesIds(db, [id]).get(id);
    if (seriesId) addSeries(db, calendar, config, locale, seriesId);
    else addWindow(calendar, config, locale, window);
    return withTimeZone(calendar.toString(), config.timeZone);
  });
}

function siteIn(config: Config, locale: Locale): string {
  return locale === config.defaultLocale ? config.siteUrl : `${config.siteUrl}/${locale}`;
}

function newCalendar(config: Config, locale: Locale, name: string, url: string): ICalCalendar {
  return ical({
    prodId: { company: 'Shirase', product: 'Shirase', language: locale.toUpperCase() },
    // The library writes the calendar's name as it is given: a line break in it would start a property of its own.
    name: oneLine(name),
    description: t(locale, 'calendar.description', { site: config.siteName }),
    url,
    ttl: 3600,
  });
}

/**
 * Adds the VTIMEZONE that events' TZID names (RFC 5545, 3.6.5). Given a
 * calendar time zone, the library would write it, but would then also write
 * DTSTAMP, CREATED and LAST-MODIFIED as local times, which must be UTC.
 */
function withTimeZone(ics: string, zone: string): string {
  const at = ics.indexOf('BEGIN:VEVENT\r\n');
  const component = getVtimezoneComponent(zone);
  if (at < 0 || !component) return ics;
  return `${ics.slice(0, at)}${component.trim().replace(/\r?\n/g, '\r\n')}\r\n${ics.slice(at)}`;
}

/** The texts and times of one window's event. */
function eventOf(config: Config, locale: Locale, w: IncidentView) {
  const zone = config.timeZone;
  const page = `${siteIn(config, locale)}/incidents/${w.id}`;
  // The announcement as staff wrote it, in the calendar's language.
  const announcement = w.updates.find((u) => u.status === 'scheduled')?.body ?? w.updates[0]?.body ?? '';
  const affects = w.components.length > 0 ? `${t(locale, 'incident.affects')}: ${w.components.map((c) => oneLine(c.name)).join(', ')}\n\n` : '';
  const text = withoutControlCharacters(`${affects}${announcement}`).trim();
  return {
    start: DateTime.fromMillis(w.scheduledFor!, { zone }),
    end: DateTime.fromMillis(w.scheduledUntil!, { zone }),
    timezone: zone,
    summary: oneLine(w.name),
    text,
    description: `${text}\n\n${page}`.trim(),
    url: page,
  };
}

function addWindow(calendar: ICalCalendar, config: Config, locale: Locale, w: IncidentView): void {
  const { text: _text, ...event } = eventOf(config, locale, w);
  calendar.createEvent({
    ...event,
    // One UID per window for its whole life, whichever language or file it is read from.
    id: `${w.id}@${new URL(config.siteUrl).host}`,
    sequence: w.sequence,
    stamp: new Date(w.updatedAt),
    created: new Date(w.createdAt),
    lastModified: new Date(w.updatedAt),
    status: isCancelledWindow(w) ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
}

function seriesIds(db: Db, windowIds: string[]): Map<string, string> {
  if (windowIds.length === 0) return new Map();
  const rows = db.select({ id: incidents.id, seriesId: incidents.seriesId }).from(incidents).where(inArray(incidents.id, windowIds)).all();
  return new Map(rows.filter((r) => r.seriesId !== null).map((r) => [r.id, r.seriesId!]));
}

/**
 * A repeating window as one event with its RRULE (RFC 5545, 3.8.5.3): the
 * series' first start and the rule give every occurrence; a cancelled
 * occurrence is an EXDATE; one whose texts differ from the series' (renamed
 * on its own page) is a second event with the same UID and its
 * RECURRENCE-ID. The series takes the texts of its latest window, which is
 * where changes to "the upcoming windows" show; its SEQUENCE and DTSTAMP
 * are the highest of its windows', so any change to one raises them.
 */
function addSeries(db: Db, calendar: ICalCalendar, config: Config, locale: Locale, seriesId: string): void {
  const series = db.select().from(maintenanceSeries).where(eq(maintenanceSeries.id, seriesId)).get();
  if (!series) return;
  const windows = loadIncidents(db, eq(incidents.seriesId, seriesId), { locale });
  const starts = new Map(
    db
      .select({ id: incidents.id, occurrenceStart: incidents.occurrenceStart })
      .from(incidents)
      .where(eq(incidents.seriesId, seriesId))
      .all()
      .map((r) => [r.id, r.occurrenceStart!]),
  );
  const latest = windows.reduce((a, b) => (starts.get(b.id)! > starts.get(a.id)! ? b : a));
  const zone = config.timeZone;
  const uid = `${seriesId}@${new URL(config.siteUrl).host}`;
  const sequence = Math.max(...windows.map((w) => w.sequence));
  const stamp = new Date(Math.max(...windows.map((w) => w.updatedAt)));
  const rule = Object.fromEntries(series.rule.split(';').map((part) => part.split('=') as [string, string]));
  const { text: seriesText, ...master } = eventOf(config, locale, latest);
  const first = DateTime.fromMillis(series.firstStart, { zone });
  const cancelled = windows.filter(isCancelledWindow);
  calendar.createEvent({
    ...master,
    // No one page stands for the whole series: each occurrence's own event links its page.
    description: seriesText,
    url: null,
    id: uid,
    sequence,
    stamp,
    created: new Date(series.createdAt),
    start: first,
    end: first.plus({ milliseconds: series.durationMs }),
    status: ICalEventStatus.CONFIRMED,
    repeating: {
      freq: rule.FREQ === 'MONTHLY' ? ICalEventRepeatingFreq.MONTHLY : ICalEventRepeatingFreq.WEEKLY,
      count: rule.COUNT ? Number(rule.COUNT) : undefined,
      until: rule.UNTIL ? DateTime.fromFormat(rule.UNTIL, "yyyyLLdd'T'HHmmss'Z'", { zone: 'utc' }).toJSDate() : undefined,
      // An empty list would still be written, as an EXDATE with no value.
      exclude: cancelled.length > 0 ? cancelled.map((w) => DateTime.fromMillis(starts.get(w.id)!, { zone })) : undefined,
    },
  });
  for (const w of windows) {
    if (isCancelledWindow(w)) continue;
    const { text, ...own } = eventOf(config, locale, w);
    // Renamed, reworded or moved on its own (its own start or length): an override of its occurrence.
    const moved = w.scheduledFor !== starts.get(w.id) || w.scheduledUntil! - w.scheduledFor! !== series.durationMs;
    if (own.summary === master.summary && text === seriesText && !moved) continue;
    calendar.createEvent({
      ...own,
      id: uid,
      sequence,
      stamp,
      recurrenceId: DateTime.fromMillis(starts.get(w.id)!, { zone }),
      status: ICalEventStatus.CONFIRMED,
    });
  }
}

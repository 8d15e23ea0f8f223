import ical, { ICalEventStatus, type ICalCalendar } from 'ical-generator';
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import { DateTime } from 'luxon';
import { and, eq, gte } from 'drizzle-orm';
import { readSnapshot, type Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import type { Config } from '../config';
import { t, type Locale } from '../i18n/messages';
import { isPublicId } from '../ids';
import { loadIncidents, type IncidentView } from '../views/incidents';

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
export function buildMaintenanceCalendar(db: Db, config: Config, now: number, language?: Locale): string {
  return readSnapshot(db, () => {
    const locale = language ?? config.defaultLocale;
    const windows = loadIncidents(db, and(eq(incidents.kind, 'maintenance'), gte(incidents.scheduledUntil, now - RECENT_WINDOW_DAYS * 86_400_000)), {
      limit: CALENDAR_EVENTS,
      locale,
    });
    const calendar = newCalendar(config, locale, t(locale, 'calendar.name', { site: config.siteName }), `${siteIn(config, locale)}/maintenance.ics`);
    for (const w of windows.sort((a, b) => (a.scheduledFor ?? 0) - (b.scheduledFor ?? 0))) addWindow(calendar, config, locale, w);
    return withTimeZone(calendar.toString(), config.timeZone);
  });
}

/** One window's calendar (`/incidents/<id>.ics`); undefined unless the id names a maintenance window. */
export function buildWindowCalendar(db: Db, config: Config, id: string, language?: Locale): string | undefined {
  return readSnapshot(db, () => {
    if (!isPublicId(id)) return undefined;
    const locale = language ?? config.defaultLocale;
    const window = loadIncidents(db, eq(incidents.id, id), { locale })[0];
    if (!window || window.kind !== 'maintenance' || window.scheduledFor === null || window.scheduledUntil === null) return undefined;
    const calendar = newCalendar(config, locale, window.name, `${siteIn(config, locale)}/incidents/${id}.ics`);
    addWindow(calendar, config, locale, window);
    return withTimeZone(calendar.toString(), config.timeZone);
  });
}

function siteIn(config: Config, locale: Locale): string {
  return locale === config.defaultLocale ? config.siteUrl : `${config.siteUrl}/${locale}`;
}

function newCalendar(config: Config, locale: Locale, name: string, url: string): ICalCalendar {
  return ical({
    prodId: { company: 'Shirase', product: 'Shirase', language: locale.toUpperCase() },
    name,
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

function addWindow(calendar: ICalCalendar, config: Config, locale: Locale, w: IncidentView): void {
  if (w.scheduledFor === null || w.scheduledUntil === null) return;
  const zone = config.timeZone;
  const page = `${siteIn(config, locale)}/incidents/${w.id}`;
  // The announcement as staff wrote it, in the calendar's language.
  const announcement = w.updates.find((u) => u.status === 'scheduled')?.body ?? w.updates[0]?.body ?? '';
  const affects = w.components.length > 0 ? `${t(locale, 'incident.affects')}: ${w.components.map((c) => c.name).join(', ')}\n\n` : '';
  calendar.createEvent({
    // One UID per window for its whole life, whichever language or file it is read from.
    id: `${w.id}@${new URL(config.siteUrl).host}`,
    sequence: w.sequence,
    stamp: new Date(w.updatedAt),
    created: new Date(w.createdAt),
    lastModified: new Date(w.updatedAt),
    start: DateTime.fromMillis(w.scheduledFor, { zone }),
    end: DateTime.fromMillis(w.scheduledUntil, { zone }),
    timezone: zone,
    summary: w.name,
    description: `${affects}${announcement}\n\n${page}`.trim(),
    url: page,
    status: isCancelledWindow(w) ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
}

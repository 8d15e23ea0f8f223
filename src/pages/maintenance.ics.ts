import type { APIRoute } from 'astro';
import { buildMaintenanceCalendar, CALENDAR_CONTENT_TYPE } from '../lib/calendar/maintenance-calendar';
import type { PublicPage } from '../lib/routes/public-page';

// Calendars never negotiate a language; the list of windows moves with the clock.
export const publicPage: PublicPage = { cors: true, prefixable: true, timeSensitive: true };

// Upcoming and recent maintenance windows; /ja/maintenance.ics is Japanese.
export const GET: APIRoute = ({ locals }) =>
  new Response(
    buildMaintenanceCalendar(
      locals.shirase.db,
      locals.shirase.config,
      locals.shirase.now(),
      locals.localePrefix ? locals.locale : undefined,
      locals.shirase.page,
    ),
    {
      headers: { 'content-type': CALENDAR_CONTENT_TYPE },
    },
  );

import type { APIRoute } from 'astro';
import { buildMaintenanceCalendar, CALENDAR_CONTENT_TYPE } from '../lib/calendar/maintenance-calendar';

// Upcoming and recent maintenance windows; /ja/maintenance.ics is Japanese.
export const GET: APIRoute = ({ locals }) =>
  new Response(buildMaintenanceCalendar(locals.shirase.db, locals.shirase.config, locals.shirase.now(), locals.localePrefix ? locals.locale : undefined), {
    headers: { 'content-type': CALENDAR_CONTENT_TYPE },
  });

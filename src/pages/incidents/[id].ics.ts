import type { APIRoute } from 'astro';
import { buildWindowCalendar, CALENDAR_CONTENT_TYPE } from '../../lib/calendar/maintenance-calendar';
import type { PublicPage } from '../../lib/routes/public-page';

// Calendars subscribe to one address and never negotiate a language.
export const publicPage: PublicPage = { cors: true, prefixable: true, params: { id: 'incident' } };

// One maintenance window as a calendar event; an incident or an unknown id is the 404.
export const GET: APIRoute = ({ locals, params, rewrite }) => {
  const ics = buildWindowCalendar(
    locals.shirase.db,
    locals.shirase.config,
    params.id ?? '',
    locals.localePrefix ? locals.locale : undefined,
    locals.shirase.page,
  );
  if (ics === undefined) return rewrite('/404');
  return new Response(ics, { headers: { 'content-type': CALENDAR_CONTENT_TYPE } });
};

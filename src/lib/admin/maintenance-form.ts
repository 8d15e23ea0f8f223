// Scheduling maintenance: the window's times are read in the page's zone.
import type { Db } from '../../../db/open';
import type { SessionUser } from '../auth/sessions';
import type { FieldIssue } from '../errors';
import { scheduleMaintenanceSchema, type ScheduleMaintenanceData } from '../incidents/input';
import { scheduleMaintenance } from '../incidents/schedule-maintenance';
import { actorFor, checked, formInput, localDateTime, optionalText, text, translationsFrom } from './form-input';
import type { FormOutcome } from './run-form';
import type { SiteForText } from '../templates/fill-published';

function readMaintenanceForm(form: FormData, timeZone: string): ScheduleMaintenanceData {
  const issues: FieldIssue[] = [];
  const scheduledFor = localDateTime(form, 'scheduledFor', timeZone, issues);
  const scheduledUntil = localDateTime(form, 'scheduledUntil', timeZone, issues);
  const values = {
    name: text(form, 'name'),
    page: text(form, 'page') || undefined,
    body: text(form, 'body'),
    componentIds: form.getAll('componentIds').filter((x): x is string => typeof x === 'string'),
    // Left empty, the schema says which end of the window is missing.
    scheduledFor,
    scheduledUntil,
    autoTransitions: checked(form, 'autoTransitions'),
    // A record of past work tells nobody, whatever the (disabled) notify box sent.
    notify: checked(form, 'notify') && !checked(form, 'pastRecord'),
    pastRecord: checked(form, 'pastRecord'),
    translations: translationsFrom(form, ['name', 'body']),
    ...readRepeat(form, timeZone),
  };
  return formInput(scheduleMaintenanceSchema(), values, 'maintenance', issues);
}

/** "Repeats" and its end: a count or a last local date. Unreadable numbers are left to the schema's checks. */
function readRepeat(form: FormData, timeZone: string): Record<string, unknown> {
  const repeat = optionalText(form, 'repeat');
  if (repeat !== 'weekly' && repeat !== 'monthly') return {};
  const count = optionalText(form, 'repeatCount');
  return { repeat, repeatCount: count === undefined ? undefined : Number(count), repeatUntil: optionalText(form, 'repeatUntil'), repeatTimeZone: timeZone };
}

export function handleMaintenanceForm(db: Db, form: FormData, user: SessionUser, now: number, site: SiteForText): FormOutcome<never> {
  const input = readMaintenanceForm(form, site.timeZone);
  const { incidentId } = scheduleMaintenance(db, input, { now, actor: actorFor(user), site });
  return `/admin/incidents/${incidentId}?done=${input.pastRecord ? 'recorded' : 'scheduled'}`;
}

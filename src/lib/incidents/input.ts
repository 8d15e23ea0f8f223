import { z } from 'zod';
import { COMPONENT_STATUSES, IMPACTS, INCIDENT_IMPACTS, INCIDENT_STATUSES, MAINTENANCE_STATUSES, POSTABLE_INCIDENT_STATUSES } from '../status/vocabulary';
import { bodyField, nameField, notInFuture, publicIdField, timestampField } from '../validation';
import { translationsSchema } from '../i18n/translations';
import { MAX_OCCURRENCES, REPEAT_FREQUENCIES } from '../maintenance/recurrence';
import { isTimeZone } from '../config';

// Each field's validator, shared with the write API's body schemas (api/v1/schemas.ts) so both say the same things.
export const componentIdField = publicIdField('errors.field.pickComponent');
export const componentStatusField = z.enum(COMPONENT_STATUSES, { errorMap: () => ({ message: 'errors.field.pickComponentStatus' }) });
export const incidentStatusField = z.enum(POSTABLE_INCIDENT_STATUSES, { errorMap: () => ({ message: 'errors.field.pickIncidentStatus' }) });
/** Left out, the impact is worked out from component statuses. */
export const incidentImpactField = z.enum(INCIDENT_IMPACTS);

const componentChangeSchema = z.object({ componentId: componentIdField, status: componentStatusField });

function displayAtField(now: number) {
  return timestampField.optional().refine(notInFuture(now), 'errors.field.updateInFuture');
}

/** The status page (by its short name) an incident that names no component is on; left out, the default page. */
const pageField = z.string({ invalid_type_error: 'errors.field.pageUnknown' }).trim().toLowerCase().max(40, 'errors.field.pageUnknown').optional();

export function openIncidentSchema(now: number) {
  return z.object({
    page: pageField,
    name: nameField,
    status: incidentStatusField,
    body: bodyField,
    components: z.array(componentChangeSchema).max(500).default([]),
    impact: incidentImpactField.optional(),
    displayAt: displayAtField(now),
    startedAt: displayAtField(now),
    notify: z.boolean().default(false),
    backfilled: z.boolean().default(false),
    /** A chosen public id, for data that other files refer to (the demo's postmortem). */
    id: publicIdField().optional(),
    /** The name and first update in other languages. */
    translations: translationsSchema({ name: nameField, body: bodyField }),
  });
}
export type OpenIncidentInput = z.input<ReturnType<typeof openIncidentSchema>>;

export function postUpdateSchema(now: number) {
  return z.object({
    status: z.enum([...INCIDENT_STATUSES, ...MAINTENANCE_STATUSES], {
      errorMap: () => ({ message: 'errors.field.pickUpdateStatus' }),
    }),
    body: bodyField,
    components: z.array(componentChangeSchema).max(500).default([]),
    displayAt: displayAtField(now),
    notify: z.boolean().default(false),
    translations: translationsSchema({ body: bodyField }),
  });
}
export type PostUpdateInput = z.input<ReturnType<typeof postUpdateSchema>>;

/** Resolving: the closing update, and the statuses to leave components in (the others go back to operational). */
export function resolveIncidentSchema(now: number) {
  return z.object({
    /** Checked as the closing update's body. */
    body: z.string().optional(),
    displayAt: displayAtField(now),
    notify: z.boolean().default(false),
    components: z.array(componentChangeSchema).max(500).default([]),
    /** The resolution's text in other languages. */
    translations: translationsSchema({ body: bodyField }),
  });
}
export type ResolveIncidentInput = z.input<ReturnType<typeof resolveIncidentSchema>>;

/** An end of a maintenance window: required, and said which end when missing. */
function windowEdge(missing: 'errors.field.startRequired' | 'errors.field.endRequired') {
  return z
    .number({ required_error: missing, invalid_type_error: 'errors.field.dateRequired' })
    .int()
    .min(Date.UTC(2000, 0, 1), 'errors.field.dateTooEarly');
}

export function scheduleMaintenanceSchema() {
  return z
    .object({
      name: nameField,
      body: bodyField,
      page: pageField,
      componentIds: z.array(publicIdField('errors.field.pickComponent')).max(500).default([]),
      scheduledFor: windowEdge('errors.field.startRequired'),
      scheduledUntil: windowEdge('errors.field.endRequired'),
      autoTransitions: z.boolean().default(true),
      notify: z.boolean().default(false),
      /** The window is over: this records past work, stored as completed, and tells nobody. */
      pastRecord: z.boolean().default(false),
      impact: z.enum(IMPACTS).optional(),
      id: publicIdField().optional(),
      translations: translationsSchema({ name: nameField, body: bodyField }),
      /** Repeat the window weekly or monthly: one window per occurrence, until a count or a last local date. */
      repeat: z.enum(REPEAT_FREQUENCIES).optional(),
      repeatCount: z.number().int().min(2, 'errors.field.repeatCount').max(MAX_OCCURRENCES, 'errors.field.repeatCount').optional(),
      repeatUntil: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, 'errors.field.dateFormat')
        .optional(),
      /** The zone whose wall-clock time the occurrences keep (the site's). */
      repeatTimeZone: z.string().refine(isTimeZone).default('UTC'),
    })
    .refine((m) => m.scheduledUntil > m.scheduledFor, {
      message: 'errors.field.windowOrder',
      path: ['scheduledUntil'],
    })
    .refine((m) => !m.repeat || (m.repeatCount === undefined) !== (m.repeatUntil === undefined), {
      message: 'errors.field.repeatEnd',
      path: ['repeatCount'],
    })
    .refine((m) => !m.repeat || !m.pastRecord, {
      message: 'errors.field.repeatPast',
      path: ['repeat'],
    });
}
export type ScheduleMaintenanceInput = z.input<ReturnType<typeof scheduleMaintenanceSchema>>;
export type ScheduleMaintenanceData = z.output<ReturnType<typeof scheduleMaintenanceSchema>>;

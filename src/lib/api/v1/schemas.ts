// The write API's request bodies as zod schemas. The same schemas validate
// requests (src/pages/api/v1/**) and generate the OpenAPI document
// (openapi.ts), so the two cannot drift; the field validators are the ones the
// verbs and the admin forms use (incidents/input.ts and each verb's schema).
// Each schema maps the JSON names onto the verb's input, which the verb runs
// through its own schema, as the forms' formInput does; the verb then checks
// what needs the database or the clock.
import { MAX_OCCURRENCES, REPEAT_FREQUENCIES } from '../../maintenance/recurrence';
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { IMPACTS, POSTABLE_STATUSES } from '../../status/vocabulary';
import { componentIdField, componentStatusField, incidentImpactField, incidentStatusField } from '../../incidents/input';
import { setStatusSchema } from '../../components/set-component-status';
import { bodyField, keyed, nameField } from '../../validation';
import { alertmanagerPayload, genericAlertBody, grafanaPayload } from '../../alerts/payloads';

extendZodWithOpenApi(z);

/** ISO 8601 text to milliseconds; absent, null or empty stays absent. */
const isoTime = (description?: string) =>
  z
    .string()
    .refine((s) => s === '' || !Number.isNaN(Date.parse(s)), keyed('errors.field.isoDateTime'))
    .nullish()
    .transform((s) => (s ? Date.parse(s) : undefined))
    .openapi({ format: 'date-time', ...(description ? { description } : {}) });

/** A yes/no that is on only when sent as JSON `true`, as clients have always relied on. */
const flag = (description: string) =>
  z
    .unknown()
    .transform((v) => v === true)
    .openapi({ type: 'boolean', default: false, description });

const notifyFields = {
  deliver_notifications: flag('Email and notify subscribers about this'),
  notify: flag('The same as deliver_notifications'),
};
const notifyOf = (b: { deliver_notifications: boolean; notify: boolean }) => b.deliver_notifications || b.notify;

const versionDescription =
  'Optional. The version this edit started from, as the last answer gave it. If someone changed the resource since, nothing is changed and the answer is 409 CONFLICT with `current_version` and `current`. Without it (or an If-Match header) the edit applies whatever happened in between.';
/** Read by readVersion (a whole number, or its text as an ETag gives it); kept raw here so If-Match can stand in. */
const versionProperty = (extra = '') => z.unknown().openapi({ type: 'integer', minimum: 1, description: versionDescription + extra });

const componentChangeBody = z
  .object({
    component_id: componentIdField.optional(),
    id: z.string().optional().openapi({ description: 'The same as component_id' }),
    status: componentStatusField,
  })
  .transform((c) => ({ componentId: c.component_id ?? c.id ?? '', status: c.status }))
  .openapi('ComponentChange');

const componentChanges = (description?: string) =>
  z
    .array(componentChangeBody, { invalid_type_error: 'errors.field.componentList' })
    .optional()
    .transform((list) => list ?? [])
    .openapi(description ? { description } : {});

/** The status page an incident or window that names no component is on. */
const pageSlug = z.string({ invalid_type_error: 'errors.field.pageUnknown' }).optional().openapi({
  description: 'The short name of the status page it is on when it names no component (see GET /api/v1/pages); left out, the default page',
  example: 'default',
});

export const newIncidentBody = z
  .object({
    name: nameField,
    status: incidentStatusField.default('investigating'),
    body: bodyField.openapi({ description: 'Markdown' }),
    components: componentChanges(),
    impact: incidentImpactField.optional().openapi({ description: 'Overrides the impact worked out from component statuses' }),
    display_at: isoTime('Defaults to now; may be in the past, not in the future'),
    started_at: isoTime(),
    page: pageSlug,
    ...notifyFields,
  })
  .transform((b) => ({
    name: b.name,
    status: b.status,
    body: b.body,
    page: b.page,
    components: b.components,
    impact: b.impact,
    displayAt: b.display_at,
    startedAt: b.started_at,
    notify: notifyOf(b),
  }))
  .openapi('NewIncident');

export const newUpdateBody = z
  .object({
    status: z.enum(POSTABLE_STATUSES, { errorMap: () => ({ message: 'errors.field.pickUpdateStatus' }) }),
    body: bodyField,
    components: componentChanges(),
    display_at: isoTime(),
    ...notifyFields,
  })
  .transform((b) => ({ status: b.status, body: b.body, components: b.components, displayAt: b.display_at, notify: notifyOf(b) }))
  .openapi('NewUpdate');

export const resolutionBody = z
  .object({
    body: z.string().optional().openapi({ description: 'Markdown; a default text when empty' }),
    components: componentChanges('Components to leave in a status other than operational'),
    display_at: isoTime(),
    ...notifyFields,
  })
  .transform((b) => ({ body: b.body ?? '', components: b.components, displayAt: b.display_at, notify: notifyOf(b) }))
  .openapi('Resolution');

export const incidentEditBody = z
  .object({
    name: nameField.optional(),
    impact: z
      .enum(['auto', ...IMPACTS])
      .optional()
      .openapi({ description: '`auto` goes back to working it out from component statuses' }),
    version: versionProperty(),
  })
  .openapi('IncidentEdit');

export const updateEditBody = z
  .object({
    body: bodyField.optional(),
    display_at: isoTime(),
    version: versionProperty(),
  })
  .openapi('UpdateEdit');

export const componentStatusBody = z
  .object({
    status: setStatusSchema.shape.status,
    note: setStatusSchema.shape.note,
    version: versionProperty(" A component's version is raised by every change to it, its status included."),
  })
  .openapi('ComponentStatus');

export const newMaintenanceBody = z
  .object({
    name: nameField,
    body: bodyField,
    component_ids: z
      .array(z.string())
      .optional()
      .transform((ids) => ids ?? []),
    scheduled_for: isoTime(),
    scheduled_until: isoTime('Must be after scheduled_for'),
    page: pageSlug,
    auto_transitions: z
      .unknown()
      .transform((v) => v !== false)
      .openapi({ type: 'boolean', default: true, description: 'Start and complete the window on its own' }),
    past_record: flag(
      'The window is over and this records past work: it is stored as completed and nobody is notified. A window that has ended is refused without it (422, key errors.maintenance.windowOver); one that has not ended is refused with it.',
    ),
    repeat: z
      .object({
        frequency: z
          .enum(REPEAT_FREQUENCIES, { errorMap: () => ({ message: 'errors.field.repeatFrequency' }) })
          .openapi({ description: 'weekly, or monthly on the same day' }),
        count: z
          .number()
          .int()
          .optional()
          .openapi({ description: `How many windows in all (2 to ${MAX_OCCURRENCES}); give this or until` }),
        until: z.string().optional().openapi({ description: "The last day a window may start on, YYYY-MM-DD in the page's zone; give this or count" }),
      })
      .optional()
      .openapi({
        description:
          "Repeat the window: one window per occurrence, each at the same wall-clock time in the page's zone, started, ended and reminded of on its own; only the first is announced. The answer is the first window.",
      }),
    ...notifyFields,
  })
  .transform((b) => ({
    repeat: b.repeat?.frequency,
    repeatCount: b.repeat?.count,
    repeatUntil: b.repeat?.until,
    name: b.name,
    body: b.body,
    page: b.page,
    componentIds: b.component_ids,
    scheduledFor: b.scheduled_for as number,
    scheduledUntil: b.scheduled_until as number,
    autoTransitions: b.auto_transitions,
    notify: notifyOf(b) && !b.past_record,
    pastRecord: b.past_record,
  }))
  .openapi('NewMaintenance', { required: ['name', 'body', 'scheduled_for', 'scheduled_until'] });

/** Moving a window that has not started. */
export const rescheduleMaintenanceBody = z
  .object({
    scheduled_for: isoTime(),
    scheduled_until: isoTime('Must be after scheduled_for'),
    ...notifyFields,
    version: versionProperty(" A window's version is raised by every change to it."),
  })
  .transform((b) => ({ scheduledFor: b.scheduled_for as number, scheduledUntil: b.scheduled_until as number, notify: notifyOf(b) }))
  .openapi('MaintenanceWindow', { required: ['scheduled_for', 'scheduled_until'] });

/** Publishing a draft: whether subscribers hear of it, and the version the approver saw. */
export const publishDraftBody = z
  .object({
    ...notifyFields,
    version: versionProperty(" A draft's version is raised when staff save it or a later alert of its group rewrites it."),
  })
  .transform((b) => ({ notify: notifyOf(b), version: b.version }))
  .openapi('PublishDraft');

// The alert payloads are the senders' own formats (src/lib/alerts/payloads.ts); here they are only named and described.
export const alertmanagerDoc = alertmanagerPayload.openapi('AlertmanagerWebhook', {
  description: "Prometheus Alertmanager's webhook payload, version 4, as its webhook_config sends it. Fields not listed are accepted and ignored.",
});
export const grafanaDoc = grafanaPayload.openapi('GrafanaWebhook', {
  description: "Grafana alerting's webhook contact point payload. Fields not listed are accepted and ignored.",
});
export const genericAlertDoc = genericAlertBody.openapi('GenericAlert', {
  description:
    'One alert. Send it again with `"status": "resolved"` when the problem is over. `id` is stable for the alert (repeats with the same `id` and status change nothing); alerts sharing a `group` (default: the `id`) share one incident. `labels` are what rules match (`title` is also the label `alertname`).',
  example: {
    id: 'db-primary-down',
    status: 'firing',
    title: 'Primary database unreachable',
    summary: 'Connections to db-1 time out from every app server',
    labels: { service: 'api', severity: 'critical' },
    group: 'database',
    started_at: '2026-06-18T07:00:00Z',
    url: 'https://monitoring.example.com/alerts/db-primary-down',
  },
});

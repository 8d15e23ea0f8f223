// The Statuspage v2 wire format, written down from shared/reference as zod
// schemas. `.strict()` makes an extra or missing key a failure.
import { z } from 'zod';

const isoTimestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/);
const id = z.string().regex(/^[0-9a-z]{12}$/);
const componentStatus = z.enum(['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance']);

const pageSchema = z.object({ id, name: z.string(), url: z.string().url(), time_zone: z.string(), updated_at: isoTimestamp }).strict();

const statusSchema = z
  .object({
    indicator: z.enum(['none', 'minor', 'major', 'critical', 'maintenance']),
    description: z.enum([
      'All Systems Operational',
      'Partially Degraded Service',
      'Degraded System Service',
      'Minor Service Outage',
      'Partial System Outage',
      'Major System Outage',
      'Service Under Maintenance',
    ]),
  })
  .strict();

const componentSchema = z
  .object({
    id,
    name: z.string(),
    status: componentStatus,
    created_at: isoTimestamp,
    updated_at: isoTimestamp,
    position: z.number().int(),
    description: z.string().nullable(),
    showcase: z.boolean(),
    start_date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .nullable(),
    group_id: id.nullable(),
    page_id: id,
    group: z.boolean(),
    only_show_if_degraded: z.boolean(),
    components: z.array(id).optional(),
  })
  .strict()
  .refine((c) => (c.group ? Array.isArray(c.components) && c.group_id === null : c.components === undefined), 'groups carry child ids, children do not');

const updateSchema = (statuses: z.ZodEnum<[string, ...string[]]>) =>
  z
    .object({
      id,
      status: statuses,
      body: z.string(),
      incident_id: id,
      created_at: isoTimestamp,
      updated_at: isoTimestamp,
      display_at: isoTimestamp,
      affected_components: z.array(z.object({ code: id, name: z.string(), old_status: componentStatus, new_status: componentStatus }).strict()).nullable(),
      deliver_notifications: z.boolean(),
      custom_tweet: z.null(),
      tweet_id: z.null(),
    })
    .strict();

const incidentStatuses = z.enum(['investigating', 'identified', 'monitoring', 'resolved', 'postmortem']);
const maintenanceStatuses = z.enum(['scheduled', 'in_progress', 'verifying', 'completed']);

const incidentFields = (statuses: z.ZodEnum<[string, ...string[]]>) => ({
  id,
  name: z.string(),
  status: statuses,
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
  monitoring_at: isoTimestamp.nullable(),
  resolved_at: isoTimestamp.nullable(),
  shortlink: z.string().url(),
  started_at: isoTimestamp,
  page_id: id,
  incident_updates: z.array(updateSchema(statuses)),
  components: z.array(componentSchema),
  reminder_intervals: z.null(),
});

const incidentSchema = z.object({ ...incidentFields(incidentStatuses), impact: z.enum(['none', 'minor', 'major', 'critical']) }).strict();

const maintenanceSchema = z
  .object({
    ...incidentFields(maintenanceStatuses),
    impact: z.enum(['none', 'minor', 'major', 'critical', 'maintenance']),
    scheduled_for: isoTimestamp,
    scheduled_until: isoTimestamp,
  })
  .strict();

export const endpointSchemas = {
  'summary.json': z
    .object({
      page: pageSchema,
      components: z.array(componentSchema),
      incidents: z.array(incidentSchema),
      scheduled_maintenances: z.array(maintenanceSchema),
      status: statusSchema,
    })
    .strict(),
  'status.json': z.object({ page: pageSchema, status: statusSchema }).strict(),
  'components.json': z.object({ page: pageSchema, components: z.array(componentSchema) }).strict(),
  'incidents.json': z.object({ page: pageSchema, incidents: z.array(incidentSchema).max(50) }).strict(),
  'incidents/unresolved.json': z.object({ page: pageSchema, incidents: z.array(incidentSchema) }).strict(),
  'scheduled-maintenances.json': z.object({ page: pageSchema, scheduled_maintenances: z.array(maintenanceSchema).max(50) }).strict(),
  'scheduled-maintenances/upcoming.json': z.object({ page: pageSchema, scheduled_maintenances: z.array(maintenanceSchema) }).strict(),
  'scheduled-maintenances/active.json': z.object({ page: pageSchema, scheduled_maintenances: z.array(maintenanceSchema) }).strict(),
} as const;

export type Endpoint = keyof typeof endpointSchemas;

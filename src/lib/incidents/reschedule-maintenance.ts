import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { incidents, notificationEvents } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { assertVersion, assertWritten, versionField } from '../edit-version';
import { ShiraseError, fieldIssue, notFound } from '../errors';
import { enqueueEvent } from '../notifications/enqueue';
import { bumpChangeCounter } from '../site/change-counter';
import { parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { refreshIncident } from './log';

export const rescheduleMaintenanceSchema = z
  .object({
    scheduledFor: z.number({ required_error: 'errors.field.startRequired', invalid_type_error: 'errors.field.dateRequired' }).int(),
    scheduledUntil: z.number({ required_error: 'errors.field.endRequired', invalid_type_error: 'errors.field.dateRequired' }).int(),
    /** Tell subscribers the new window, as the first announcement told them the old one. */
    notify: z.boolean().default(false),
    version: versionField,
  })
  .refine((m) => m.scheduledUntil > m.scheduledFor, { message: 'errors.field.windowOrder', path: ['scheduledUntil'] });

/**
 * Moves a maintenance window that has not started to new times: one window
 * of a repeating series on its own (the calendar then shows it as an
 * override of its occurrence), or a window on its own. The timers start and
 * end it at the new times; its reminder is sent again for the new start if
 * the old one had gone; calendars see its SEQUENCE raised.
 */
export function rescheduleMaintenance(db: Db, incidentId: string, input: z.input<typeof rescheduleMaintenanceSchema>, ctx: WriteContext): void {
  const data = parseInput(rescheduleMaintenanceSchema, input, 'maintenance');
  if (data.scheduledUntil <= ctx.now) {
    throw new ShiraseError('VALIDATION', 'errors.maintenance.windowOver', {
      hint: 'errors.maintenance.rescheduleOver.hint',
      fields: [fieldIssue('scheduledUntil', 'errors.field.windowOver')],
    });
  }
  db.transaction((tx) => {
    const before = tx.select().from(incidents).where(eq(incidents.id, incidentId)).get();
    if (!before || before.kind !== 'maintenance') throw notFound('maintenance', incidentId);
    // A window under way or over is moved by completing it; its past cannot be rewritten from here.
    if (before.status !== 'scheduled')
      throw new ShiraseError('CONFLICT', 'errors.maintenance.alreadyStarted', { hint: 'errors.maintenance.alreadyStarted.hint' });
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const stored = () => ({ version: before.version, values: { scheduledFor: iso(before.scheduledFor), scheduledUntil: iso(before.scheduledUntil) } });
    assertVersion(data.version, stored());
    const written = tx
      .update(incidents)
      .set({ scheduledFor: data.scheduledFor, scheduledUntil: data.scheduledUntil, updatedAt: ctx.now, version: before.version + 1 })
      .where(and(eq(incidents.id, incidentId), eq(incidents.version, before.version)))
      .run().changes;
    assertWritten(written, stored);
    // The reminder for the old start may have gone: the new start gets its own.
    tx.update(notificationEvents)
      .set({ onceKey: sql`${notificationEvents.onceKey} || ':moved-' || ${ctx.now}` })
      .where(eq(notificationEvents.onceKey, `reminder:${incidentId}`))
      .run();
    refreshIncident(tx, incidentId, ctx.now);
    if (data.notify) enqueueEvent(tx, { kind: 'maintenance_rescheduled', incidentId, onceKey: `rescheduled:${incidentId}:${ctx.now}` }, ctx.now);
    recordAudit(tx, ctx, {
      action: 'maintenance.reschedule',
      entityType: 'incident',
      entityId: incidentId,
      before: { scheduledFor: before.scheduledFor, scheduledUntil: before.scheduledUntil, version: before.version },
      after: { scheduledFor: data.scheduledFor, scheduledUntil: data.scheduledUntil, notify: data.notify, version: before.version + 1 },
    });
    bumpChangeCounter(tx);
  });
}

import type { z } from 'zod';
import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { newPublicId } from '../ids';
import { bumpChangeCounter } from '../site/change-counter';
import { recordAudit } from '../audit/record-audit';
import { enqueueEvent } from '../notifications/enqueue';
import { parseInput } from '../validation';
import { scheduleMaintenanceSchema, type ScheduleMaintenanceInput } from './input';
import { assertComponentsExist, insertUpdate, linkComponents, refreshIncident, type Tx } from './log';
import type { WriteContext } from '../write-context';
import { pick, serializeTranslations } from '../i18n/translations';
import { ShiraseError, fieldIssue } from '../errors';
import { t } from '../i18n/messages';

/**
 * Plans a maintenance window: an incident of kind maintenance with a first
 * "scheduled" update. A window that is already over is refused unless it is
 * marked as a record of past work, which is stored as completed and tells
 * nobody (announcing it would send "scheduled", "started" and "completed"
 * within seconds, years late).
 */
export function scheduleMaintenance(db: Db, input: ScheduleMaintenanceInput, ctx: WriteContext): { incidentId: string } {
  const data = parseInput(scheduleMaintenanceSchema(), input, 'maintenance');
  const over = data.scheduledUntil <= ctx.now;
  if (over && !data.pastRecord) {
    throw new ShiraseError('VALIDATION', 'errors.maintenance.windowOver', {
      hint: 'errors.maintenance.windowOver.hint',
      fields: [fieldIssue('scheduledUntil', 'errors.field.windowOver')],
    });
  }
  if (!over && data.pastRecord) {
    throw new ShiraseError('VALIDATION', 'errors.maintenance.notOverYet', {
      hint: 'errors.maintenance.notOverYet.hint',
      fields: [fieldIssue('pastRecord', 'errors.field.notOverYet')],
    });
  }
  if (data.pastRecord) return recordPastMaintenance(db, data, ctx);
  return db.transaction((tx) => {
    const incidentId = insertWindow(tx, data, ctx, { status: 'scheduled', autoTransitions: data.autoTransitions, backfilled: false });
    // The announcement is shown when it was made, never later than the window it announces.
    const updateId = insertUpdate(tx, {
      incidentId,
      status: 'scheduled',
      body: data.body,
      displayAt: Math.min(ctx.now, data.scheduledFor),
      notify: data.notify,
      now: ctx.now,
      translations: pick(data.translations, 'body'),
    });
    refreshIncident(tx, incidentId, ctx.now);
    if (data.notify) enqueueEvent(tx, { kind: 'maintenance_scheduled', incidentId, updateId }, ctx.now);
    recordAudit(tx, ctx, { action: 'maintenance.schedule', entityType: 'incident', entityId: incidentId, after: data });
    bumpChangeCounter(tx);
    return { incidentId };
  });
}

/**
 * Past work, written up: its work shown from the window's start, completed at
 * its end, no notification. Component statuses are left alone: entries dated
 * in the past would change what the ledger says components are now.
 */
function recordPastMaintenance(db: Db, data: z.output<ReturnType<typeof scheduleMaintenanceSchema>>, ctx: WriteContext): { incidentId: string } {
  return db.transaction((tx) => {
    const incidentId = insertWindow(tx, data, ctx, { status: 'completed', autoTransitions: false, backfilled: true });
    insertUpdate(tx, { incidentId, status: 'in_progress', body: data.body, displayAt: data.scheduledFor, notify: false, now: ctx.now, translations: pick(data.translations, 'body') });
    insertUpdate(tx, { incidentId, status: 'completed', body: t('en', 'auto.maintenance_completed'), bodyKey: 'maintenance_completed', displayAt: data.scheduledUntil, notify: false, now: ctx.now });
    refreshIncident(tx, incidentId, ctx.now);
    recordAudit(tx, ctx, { action: 'maintenance.record_past', entityType: 'incident', entityId: incidentId, after: { ...data, notify: false } });
    bumpChangeCounter(tx);
    return { incidentId };
  });
}

/** The window itself and its components, as scheduled or as a record of past work. */
function insertWindow(
  tx: Tx,
  data: z.output<ReturnType<typeof scheduleMaintenanceSchema>>,
  ctx: WriteContext,
  as: { status: 'scheduled' | 'completed'; autoTransitions: boolean; backfilled: boolean },
): string {
  assertComponentsExist(tx, data.componentIds, 'componentIds');
  const incidentId = data.id ?? newPublicId();
  tx.insert(incidents)
    .values({
      id: incidentId,
      kind: 'maintenance',
      name: data.name,
      translations: serializeTranslations(pick(data.translations, 'name')),
      impact: data.impact ?? 'maintenance',
      impactOverride: data.impact !== undefined && data.impact !== 'maintenance',
      declaredStartAt: null,
      status: as.status,
      startedAt: data.scheduledFor,
      scheduledFor: data.scheduledFor,
      scheduledUntil: data.scheduledUntil,
      autoTransitions: as.autoTransitions,
      backfilled: as.backfilled,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    })
    .run();
  linkComponents(tx, incidentId, data.componentIds);
  return incidentId;
}

import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { newPublicId } from '../ids';
import { bumpChangeCounter } from '../site/change-counter';
import { recordAudit } from '../audit/record-audit';
import { enqueueEvent } from '../notifications/enqueue';
import { parseInput } from '../validation';
import { scheduleMaintenanceSchema, type ScheduleMaintenanceInput } from './input';
import { assertComponentsExist, insertUpdate, linkComponents, refreshIncident } from './log';
import type { WriteContext } from '../write-context';
import { pick, serializeTranslations } from '../i18n/translations';

/** Plans a maintenance window: an incident of kind maintenance with a first "scheduled" update. */
export function scheduleMaintenance(db: Db, input: ScheduleMaintenanceInput, ctx: WriteContext): { incidentId: string } {
  const data = parseInput(scheduleMaintenanceSchema(), input, 'maintenance');
  return db.transaction((tx) => {
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
        status: 'scheduled',
        startedAt: data.scheduledFor,
        scheduledFor: data.scheduledFor,
        scheduledUntil: data.scheduledUntil,
        autoTransitions: data.autoTransitions,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .run();
    linkComponents(tx, incidentId, data.componentIds);
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

import { count, eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidentUpdates } from '../../../db/schema';
import { ShiraseError, notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { bumpChangeCounter } from '../site/change-counter';
import type { WriteContext } from '../write-context';
import { refreshIncident } from './log';

/** Removes a mistaken update and the component changes it made; the incident keeps at least one update. */
export function deleteIncidentUpdate(db: Db, updateId: string, ctx: WriteContext): { incidentId: string } {
  return db.transaction((tx) => {
    const update = tx.select().from(incidentUpdates).where(eq(incidentUpdates.id, updateId)).get();
    if (!update) throw notFound('update', updateId);
    const remaining = tx.select({ n: count() }).from(incidentUpdates).where(eq(incidentUpdates.incidentId, update.incidentId)).get()!.n;
    if (remaining <= 1) {
      throw new ShiraseError('CONFLICT', 'errors.update.onlyOne', { hint: 'errors.update.onlyOne.hint' });
    }
    // Its ledger rows go with it (ON DELETE CASCADE on incident_update_id).
    tx.delete(incidentUpdates).where(eq(incidentUpdates.id, updateId)).run();
    refreshIncident(tx, update.incidentId, ctx.now);
    recordAudit(tx, ctx, { action: 'incident.delete_update', entityType: 'incident_update', entityId: updateId, before: update });
    bumpChangeCounter(tx);
    return { incidentId: update.incidentId };
  });
}

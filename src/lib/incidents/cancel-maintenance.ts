import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { ShiraseError, notFound } from '../errors';
import { isClosedStatus } from '../status/vocabulary';
import type { WriteContext } from '../write-context';
import { resolveIncident } from './resolve-incident';
import { editIncident } from './edit-incident';

const CANCELLED_TEXT = 'This maintenance has been cancelled. Nothing will change during the announced window.';

/** Cancels a maintenance window: it is completed at once, components go back, and the timers leave it alone. */
export function cancelMaintenance(db: Db, incidentId: string, input: { body?: string; notify?: boolean }, ctx: WriteContext): void {
  const m = db.select({ kind: incidents.kind, status: incidents.status }).from(incidents).where(eq(incidents.id, incidentId)).get();
  if (!m) throw notFound('maintenance', incidentId);
  if (m.kind !== 'maintenance') throw new ShiraseError('CONFLICT', 'errors.maintenance.notMaintenance');
  if (isClosedStatus(m.status)) throw new ShiraseError('CONFLICT', 'errors.maintenance.completed');
  // Nested transactions become savepoints, so both steps commit together or not at all.
  db.transaction(() => {
    editIncident(db, incidentId, { autoTransitions: false }, ctx);
    resolveIncident(db, incidentId, { body: input.body?.trim() || CANCELLED_TEXT, notify: input.notify ?? true }, ctx);
  });
}

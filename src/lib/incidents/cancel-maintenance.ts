import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { ShiraseError, notFound } from '../errors';
import { isClosedStatus } from '../status/vocabulary';
import type { WriteContext } from '../write-context';
import { resolveIncident } from './resolve-incident';
import { editIncident } from './edit-incident';

/** Cancels a maintenance window: it is completed at once, components go back, and the timers leave it alone. */
export function cancelMaintenance(
  db: Db,
  incidentId: string,
  input: { body?: string; notify?: boolean; translations?: Record<string, { body?: string }> },
  ctx: WriteContext,
): void {
  const m = db.select({ kind: incidents.kind, status: incidents.status }).from(incidents).where(eq(incidents.id, incidentId)).get();
  if (!m) throw notFound('maintenance', incidentId);
  if (m.kind !== 'maintenance') throw new ShiraseError('CONFLICT', 'errors.maintenance.notMaintenance');
  if (isClosedStatus(m.status)) throw new ShiraseError('CONFLICT', 'errors.maintenance.completed');
  // Nested transactions become savepoints, so both steps commit together or not at all.
  db.transaction(() => {
    editIncident(db, incidentId, { autoTransitions: false }, ctx);
    const written = input.body?.trim();
    resolveIncident(
      db,
      incidentId,
      written
        ? { body: written, translations: input.translations, notify: input.notify ?? true }
        : { bodyKey: 'maintenance_cancelled', notify: input.notify ?? true },
      ctx,
    );
  });
}

import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { ShiraseError, notFound } from '../errors';
import { isClosedStatus } from '../status/vocabulary';
import type { WriteContext } from '../write-context';
import { resolveIncident } from './resolve-incident';
import { editIncident } from './edit-incident';
import { systemText } from '../i18n/system-text';


/** Cancels a maintenance window: it is completed at once, components go back, and the timers leave it alone. */
export function cancelMaintenance(db: Db, incidentId: string, input: { body?: string; notify?: boolean }, ctx: WriteContext): void {
  const m = db.select({ kind: incidents.kind, status: incidents.status }).from(incidents).where(eq(incidents.id, incidentId)).get();
  if (!m) throw notFound('maintenance', incidentId);
  if (m.kind !== 'maintenance') throw new ShiraseError('CONFLICT', 'errors.maintenance.notMaintenance');
  if (isClosedStatus(m.status)) throw new ShiraseError('CONFLICT', 'errors.maintenance.completed');
  // Nested transactions become savepoints, so both steps commit together or not at all.
  db.transaction(() => {
    editIncident(db, incidentId, { autoTransitions: false }, ctx);
    // Staff's own words are theirs, in the one language they wrote; the standard text comes in every language.
    const text = input.body?.trim() ? { body: input.body.trim() } : systemText('maintenance.auto.cancelled');
    resolveIncident(db, incidentId, { ...text, notify: input.notify ?? true }, ctx);
  });
}

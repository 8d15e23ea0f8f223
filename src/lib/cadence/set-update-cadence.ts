import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { ShiraseError, notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { isClosedStatus } from '../status/vocabulary';
import { keyed, parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { MAX_CADENCE_MINUTES, MIN_CADENCE_MINUTES } from './cadence-clock';

const range = keyed('errors.field.cadenceRange', { min: MIN_CADENCE_MINUTES, max: MAX_CADENCE_MINUTES });
const cadenceSchema = z.object({
  minutes: z.number({ invalid_type_error: range, required_error: range }).int(range).min(MIN_CADENCE_MINUTES, range).max(MAX_CADENCE_MINUTES, range),
});

/**
 * Sets how long customers may go without a public update on an open incident
 * before the staff on it are reminded. Maintenance has no cadence.
 */
export function setUpdateCadence(db: Db, incidentId: string, input: { minutes: number }, ctx: WriteContext): void {
  const data = parseInput(cadenceSchema, input, 'cadence');
  db.transaction((tx) => {
    const incident = tx
      .select({ kind: incidents.kind, status: incidents.status, cadence: incidents.updateCadenceMinutes })
      .from(incidents)
      .where(eq(incidents.id, incidentId))
      .get();
    if (!incident) throw notFound('incident', incidentId);
    if (incident.kind !== 'incident') throw new ShiraseError('VALIDATION', 'errors.cadence.incidentsOnly');
    if (isClosedStatus(incident.status)) throw new ShiraseError('VALIDATION', 'errors.cadence.closed');
    if (incident.cadence === data.minutes) return;
    tx.update(incidents).set({ updateCadenceMinutes: data.minutes, updatedAt: ctx.now }).where(eq(incidents.id, incidentId)).run();
    recordAudit(tx, ctx, {
      action: 'incident.set_cadence',
      entityType: 'incident',
      entityId: incidentId,
      before: { updateCadenceMinutes: incident.cadence },
      after: { updateCadenceMinutes: data.minutes },
    });
  });
}

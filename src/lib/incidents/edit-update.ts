import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { componentStatusChanges, incidentUpdates } from '../../../db/schema';
import { notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { bumpChangeCounter } from '../site/change-counter';
import { bodyField, notInFuture, parseInput, timestampField } from '../validation';
import type { WriteContext } from '../write-context';
import { refreshIncident } from './log';
import { assertVersion, assertWritten, versionField } from '../edit-version';

const editSchema = (now: number) =>
  z.object({
    body: bodyField.optional(),
    displayAt: timestampField.optional().refine(notInFuture(now), 'errors.field.correctionInFuture'),
    version: versionField,
  });

/**
 * Corrects an update's text or time. The component changes it made move with
 * it, and the incident's status is derived again, since a new time can change
 * which update is the latest. Each correction raises the update's version.
 */
export function editIncidentUpdate(db: Db, updateId: string, input: z.input<ReturnType<typeof editSchema>>, ctx: WriteContext): void {
  const data = parseInput(editSchema(ctx.now), input, 'correction');
  db.transaction((tx) => {
    const before = tx.select().from(incidentUpdates).where(eq(incidentUpdates.id, updateId)).get();
    if (!before) throw notFound('update', updateId);
    const stored = () => ({ version: before.version, values: { body: before.body, displayAt: new Date(before.displayAt).toISOString() } });
    assertVersion(data.version, stored());
    const changes = { body: data.body ?? before.body, displayAt: data.displayAt ?? before.displayAt, updatedAt: ctx.now, version: before.version + 1 };
    assertWritten(tx.update(incidentUpdates).set(changes).where(and(eq(incidentUpdates.id, updateId), eq(incidentUpdates.version, before.version))).run().changes, stored);
    if (changes.displayAt !== before.displayAt) {
      tx.update(componentStatusChanges).set({ at: changes.displayAt }).where(eq(componentStatusChanges.incidentUpdateId, updateId)).run();
    }
    refreshIncident(tx, before.incidentId, ctx.now);
    recordAudit(tx, ctx, {
      action: 'incident.edit_update',
      entityType: 'incident_update',
      entityId: updateId,
      before: { body: before.body, displayAt: before.displayAt, version: before.version },
      after: { body: changes.body, displayAt: changes.displayAt, version: changes.version },
    });
    bumpChangeCounter(tx);
  });
}

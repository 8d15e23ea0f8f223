import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { bumpChangeCounter } from '../site/change-counter';
import { nameField, parseInput } from '../validation';
import { IMPACTS } from '../status/vocabulary';
import type { WriteContext } from '../write-context';
import { refreshIncident } from './log';
import { assertVersion, assertWritten, versionField } from '../edit-version';

export const editIncidentSchema = z.object({
  name: nameField.optional(),
  /** `auto` goes back to deriving the impact from component statuses. */
  impact: z.enum(['auto', ...IMPACTS]).optional(),
  autoTransitions: z.boolean().optional(),
  /** The version the editor started from; another save since then makes this one a CONFLICT. */
  version: versionField,
});

/** Renames an incident or sets its impact by hand, raising its version. */
export function editIncident(db: Db, incidentId: string, input: z.input<typeof editIncidentSchema>, ctx: WriteContext): void {
  const data = parseInput(editIncidentSchema, input, 'incident');
  db.transaction((tx) => {
    const before = tx.select().from(incidents).where(eq(incidents.id, incidentId)).get();
    if (!before) throw notFound('incident', incidentId);
    const stored = () => ({ version: before.version, values: { name: before.name, impact: before.impactOverride ? before.impact : 'auto' } });
    assertVersion(data.version, stored());
    const set: Partial<typeof incidents.$inferInsert> = { updatedAt: ctx.now, version: before.version + 1 };
    if (data.name !== undefined) set.name = data.name;
    if (data.autoTransitions !== undefined) set.autoTransitions = data.autoTransitions;
    if (data.impact === 'auto') set.impactOverride = false;
    else if (data.impact !== undefined) Object.assign(set, { impact: data.impact, impactOverride: true });
    assertWritten(
      tx
        .update(incidents)
        .set(set)
        .where(and(eq(incidents.id, incidentId), eq(incidents.version, before.version)))
        .run().changes,
      stored,
    );
    refreshIncident(tx, incidentId, ctx.now);
    recordAudit(tx, ctx, {
      action: 'incident.edit',
      entityType: 'incident',
      entityId: incidentId,
      before: {
        name: before.name,
        impact: before.impact,
        impactOverride: before.impactOverride,
        autoTransitions: before.autoTransitions,
        version: before.version,
      },
      after: { ...data, version: before.version + 1 },
    });
    bumpChangeCounter(tx);
  });
}

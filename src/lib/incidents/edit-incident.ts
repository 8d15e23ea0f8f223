import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { bumpChangeCounter } from '../site/change-counter';
import { nameField, parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { refreshIncident } from './log';

const schema = z.object({
  name: nameField.optional(),
  /** `auto` goes back to deriving the impact from component statuses. */
  impact: z.enum(['auto', 'none', 'minor', 'major', 'critical', 'maintenance']).optional(),
  autoTransitions: z.boolean().optional(),
});

/** Renames an incident or sets its impact by hand. */
export function editIncident(db: Db, incidentId: string, input: z.input<typeof schema>, ctx: WriteContext): void {
  const data = parseInput(schema, input, 'incident');
  db.transaction((tx) => {
    const before = tx.select().from(incidents).where(eq(incidents.id, incidentId)).get();
    if (!before) throw notFound(`Incident ${incidentId}`);
    const set: Partial<typeof incidents.$inferInsert> = { updatedAt: ctx.now };
    if (data.name !== undefined) set.name = data.name;
    if (data.autoTransitions !== undefined) set.autoTransitions = data.autoTransitions;
    if (data.impact === 'auto') set.impactOverride = false;
    else if (data.impact !== undefined) Object.assign(set, { impact: data.impact, impactOverride: true });
    tx.update(incidents).set(set).where(eq(incidents.id, incidentId)).run();
    refreshIncident(tx, incidentId, ctx.now);
    recordAudit(tx, ctx, {
      action: 'incident.edit',
      entityType: 'incident',
      entityId: incidentId,
      before: { name: before.name, impact: before.impact, impactOverride: before.impactOverride, autoTransitions: before.autoTransitions },
      after: data,
    });
    bumpChangeCounter(tx);
  });
}

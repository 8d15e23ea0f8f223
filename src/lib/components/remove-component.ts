import { count, eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { componentStatusChanges, components, incidentComponents, statusCorrections } from '../../../db/schema';
import { notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { bumpChangeCounter } from '../site/change-counter';
import type { WriteContext } from '../write-context';

/**
 * Takes a component off the page. One with history is archived so its past
 * incidents and uptime stay intact; one that never had any is deleted.
 */
export function removeComponent(db: Db, componentId: string, ctx: WriteContext): { archived: boolean } {
  return db.transaction((tx) => {
    const before = tx.select().from(components).where(eq(components.id, componentId)).get();
    if (!before) throw notFound('component', componentId);
    const history =
      tx.select({ n: count() }).from(componentStatusChanges).where(eq(componentStatusChanges.componentId, componentId)).get()!.n +
      tx.select({ n: count() }).from(incidentComponents).where(eq(incidentComponents.componentId, componentId)).get()!.n +
      // A correction is history too: staff said what happened to it, and the audit log points at it.
      tx.select({ n: count() }).from(statusCorrections).where(eq(statusCorrections.componentId, componentId)).get()!.n;
    if (history > 0)
      tx.update(components)
        .set({ archivedAt: ctx.now, updatedAt: ctx.now, version: before.version + 1 })
        .where(eq(components.id, componentId))
        .run();
    else tx.delete(components).where(eq(components.id, componentId)).run();
    recordAudit(tx, ctx, { action: history > 0 ? 'component.archive' : 'component.delete', entityType: 'component', entityId: componentId, before });
    bumpChangeCounter(tx);
    return { archived: history > 0 };
  });
}

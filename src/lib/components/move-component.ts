import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { components } from '../../../db/schema';
import { notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { bumpChangeCounter } from '../site/change-counter';
import type { WriteContext } from '../write-context';

/** Moves a component one place up or down within its group. */
export function moveComponent(db: Db, componentId: string, direction: 'up' | 'down', ctx: WriteContext): void {
  db.transaction((tx) => {
    const me = tx.select().from(components).where(eq(components.id, componentId)).get();
    if (!me) throw notFound('component', componentId);
    const siblings = tx
      .select({ id: components.id, position: components.position })
      .from(components)
      .where(and(me.groupId ? eq(components.groupId, me.groupId) : isNull(components.groupId), isNull(components.archivedAt)))
      .orderBy(components.position, components.createdAt)
      .all();
    const index = siblings.findIndex((s) => s.id === componentId);
    const target = direction === 'up' ? index - 1 : index + 1;
    if (target < 0 || target >= siblings.length) return;
    [siblings[index], siblings[target]] = [siblings[target]!, siblings[index]!];
    siblings.forEach((s, i) =>
      tx
        .update(components)
        .set({ position: i + 1, updatedAt: ctx.now })
        .where(eq(components.id, s.id))
        .run(),
    );
    recordAudit(tx, ctx, { action: 'component.move', entityType: 'component', entityId: componentId, before: { position: me.position }, after: { direction } });
    bumpChangeCounter(tx);
  });
}

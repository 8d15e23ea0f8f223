import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { checks } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { notFound } from '../errors';
import type { WriteContext } from '../write-context';

/** Deletes a check and its results; an incident it already opened stays as it is. */
export function deleteCheck(db: Db, id: string, ctx: WriteContext): void {
  db.transaction((tx) => {
    const before = tx.select().from(checks).where(eq(checks.id, id)).get();
    if (!before) throw notFound('check', id);
    tx.delete(checks).where(eq(checks.id, id)).run();
    const { name, kind, target, state } = before;
    recordAudit(tx, ctx, { action: 'check.delete', entityType: 'check', entityId: id, before: { name, kind, target, state } });
  });
}

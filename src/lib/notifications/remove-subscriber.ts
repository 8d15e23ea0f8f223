import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { subscribers } from '../../../db/schema';
import { notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import type { WriteContext } from '../write-context';

export function removeSubscriber(db: Db, id: string, ctx: WriteContext): void {
  db.transaction((tx) => {
    const row = tx.select().from(subscribers).where(eq(subscribers.id, id)).get();
    if (!row) throw notFound('subscriber', id);
    tx.delete(subscribers).where(eq(subscribers.id, id)).run();
    recordAudit(tx, ctx, { action: 'subscriber.remove', entityType: 'subscriber', entityId: id, before: { email: row.email, status: row.status } });
  });
}

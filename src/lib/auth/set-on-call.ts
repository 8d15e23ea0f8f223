import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import type { WriteContext } from '../write-context';

/** Puts an account on call (told first about suggested incidents) or takes it off. */
export function setOnCall(db: Db, userId: string, onCall: boolean, ctx: WriteContext): void {
  db.transaction((tx) => {
    const before = tx.select().from(users).where(eq(users.id, userId)).get();
    if (!before) throw notFound('user', userId);
    if (before.onCall === onCall) return;
    tx.update(users).set({ onCall, updatedAt: ctx.now }).where(eq(users.id, userId)).run();
    recordAudit(tx, ctx, {
      action: 'user.set_on_call',
      entityType: 'user',
      entityId: userId,
      before: { email: before.email, onCall: before.onCall },
      after: { onCall },
    });
  });
}

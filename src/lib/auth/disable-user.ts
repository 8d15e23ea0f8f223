import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { ShiraseError, notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import type { WriteContext } from '../write-context';
import { endUserSessions } from './sessions';

/** Disables an account and ends its sessions at once. */
export function disableUser(db: Db, userId: string, ctx: WriteContext): void {
  db.transaction((tx) => {
    const before = tx.select().from(users).where(eq(users.id, userId)).get();
    if (!before) throw notFound('user', userId);
    if (ctx.actor?.id === userId) throw new ShiraseError('CONFLICT', 'errors.user.disableSelf', { hint: 'errors.user.disableSelf.hint' });
    tx.update(users).set({ disabledAt: ctx.now, updatedAt: ctx.now }).where(eq(users.id, userId)).run();
    endUserSessions(tx, userId);
    recordAudit(tx, ctx, { action: 'user.disable', entityType: 'user', entityId: userId, before: { email: before.email } });
  });
}

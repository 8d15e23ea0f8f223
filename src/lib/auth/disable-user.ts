import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { ShiraseError, notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import type { WriteContext } from '../write-context';
import { endUserSessions } from './sessions';
import { countLiveTokensOf } from './api-tokens';

/**
 * Disables an account and ends its sessions at once. Its API tokens act as
 * it, so they are refused from now on (authenticateToken); how many is told.
 */
export function disableUser(db: Db, userId: string, ctx: WriteContext): { sessionsEnded: number; tokensStopped: number } {
  return db.transaction((tx) => {
    const before = tx.select().from(users).where(eq(users.id, userId)).get();
    if (!before) throw notFound('user', userId);
    if (ctx.actor?.id === userId) throw new ShiraseError('CONFLICT', 'errors.user.disableSelf', { hint: 'errors.user.disableSelf.hint' });
    tx.update(users).set({ disabledAt: ctx.now, updatedAt: ctx.now }).where(eq(users.id, userId)).run();
    const sessionsEnded = endUserSessions(tx, userId);
    const tokensStopped = before.disabledAt === null ? countLiveTokensOf(tx, userId) : 0;
    recordAudit(tx, ctx, {
      action: 'user.disable',
      entityType: 'user',
      entityId: userId,
      before: { email: before.email },
      after: { sessionsEnded, tokensStopped },
    });
    return { sessionsEnded, tokensStopped };
  });
}

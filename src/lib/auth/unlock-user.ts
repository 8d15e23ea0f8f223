import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import type { WriteContext } from '../write-context';
import { clearAccountFailures } from './sign-in-throttle';

/** Forgets an account's failed sign-ins from every address, so no wait or refusal is left standing for it. */
export function unlockUser(db: Db, userId: string, ctx: WriteContext): { cleared: number } {
  return db.transaction((tx) => {
    const user = tx.select({ email: users.email }).from(users).where(eq(users.id, userId)).get();
    if (!user) throw notFound('user', userId);
    const cleared = clearAccountFailures(tx, user.email);
    recordAudit(tx, ctx, { action: 'user.unlock', entityType: 'user', entityId: userId, after: { email: user.email, failuresCleared: cleared } });
    return { cleared };
  });
}

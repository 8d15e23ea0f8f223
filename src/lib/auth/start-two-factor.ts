import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { ShiraseError, notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import type { WriteContext } from '../write-context';
import { newTotpSecret } from './totp';

/**
 * Gives an account a new, pending TOTP secret to put into an authenticator
 * app. Nothing changes at sign-in until a code from the app confirms it
 * (enableTwoFactor).
 */
export function startTwoFactor(db: Db, userId: string, ctx: WriteContext): void {
  db.transaction((tx) => {
    const user = tx.select({ totpEnabledAt: users.totpEnabledAt }).from(users).where(eq(users.id, userId)).get();
    if (!user) throw notFound(`User ${userId}`);
    if (user.totpEnabledAt !== null) {
      throw new ShiraseError('CONFLICT', 'Two-factor sign-in is already on for this account.', { hint: 'Turn it off first to move it to another app.' });
    }
    tx.update(users).set({ totpSecret: newTotpSecret(), totpLastStep: null, updatedAt: ctx.now }).where(eq(users.id, userId)).run();
    recordAudit(tx, ctx, { action: 'user.two_factor_start', entityType: 'user', entityId: userId });
  });
}

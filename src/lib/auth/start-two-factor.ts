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
    if (!user) throw notFound('user', userId);
    if (user.totpEnabledAt !== null) {
      throw new ShiraseError('CONFLICT', 'errors.twoFactor.alreadyOn', { hint: 'errors.twoFactor.alreadyOn.hint' });
    }
    tx.update(users).set({ totpSecret: newTotpSecret(), totpLastStep: null, updatedAt: ctx.now }).where(eq(users.id, userId)).run();
    recordAudit(tx, ctx, { action: 'user.two_factor_start', entityType: 'user', entityId: userId });
  });
}

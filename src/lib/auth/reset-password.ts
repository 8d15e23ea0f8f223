import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { ShiraseError, notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import type { WriteContext } from '../write-context';
import { generatePassword, hashPassword } from './password';
import { endUserSessions } from './sessions';
import { clearAccountFailures } from './sign-in-throttle';
import { clearTwoFactor } from './clear-two-factor';

/**
 * An admin gives someone a new, generated password (returned once, to be
 * passed on privately). Every session of that account ends at once and its
 * failed sign-ins are forgotten; with `clearTwoFactor`, two-factor sign-in is
 * turned off too, for someone who lost their phone and recovery codes.
 */
export async function resetPassword(
  db: Db,
  userId: string,
  options: { clearTwoFactor?: boolean },
  ctx: WriteContext,
): Promise<{ email: string; password: string; sessionsEnded: number }> {
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  return db.transaction((tx) => {
    const user = tx.select().from(users).where(eq(users.id, userId)).get();
    if (!user) throw notFound('user', userId);
    if (ctx.actor?.kind === 'user' && ctx.actor.id === userId) {
      throw new ShiraseError('CONFLICT', 'errors.password.resetSelf', { hint: 'errors.password.resetSelf.hint' });
    }
    tx.update(users).set({ passwordHash, updatedAt: ctx.now }).where(eq(users.id, userId)).run();
    const clear = options.clearTwoFactor === true && user.totpSecret !== null;
    if (clear) clearTwoFactor(tx, userId, ctx.now);
    const sessionsEnded = endUserSessions(tx, userId);
    clearAccountFailures(tx, user.email);
    recordAudit(tx, ctx, {
      action: 'user.reset_password',
      entityType: 'user',
      entityId: userId,
      after: { email: user.email, sessionsEnded, twoFactorCleared: clear },
    });
    return { email: user.email, password, sessionsEnded };
  });
}

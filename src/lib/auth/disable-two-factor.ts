import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { ShiraseError, notFound, fieldIssue } from '../errors';
import { recordAudit } from '../audit/record-audit';
import type { WriteContext } from '../write-context';
import { checkSecondFactor, claimCodeAttemptOrForgive } from './complete-sign-in';
import { clearTwoFactor } from './clear-two-factor';
import { claimSignInAttempt, forgiveSignInAttempt } from './sign-in-throttle';
import { forgiveCodeAttempts, noteWrongCode } from './second-factor-ceiling';

export const NOT_PASSWORD_OR_CODE = 'errors.twoFactor.notPasswordOrCode';
const NOT_CURRENT_CODE = 'errors.twoFactor.notCurrentCode';

/**
 * Turns two-factor sign-in off for one's own account, given a current code
 * from the app or an unused recovery code, never the password: whoever has
 * only the password (and a session) must not be able to remove the second
 * factor. Wrong codes count as failed sign-ins. Where it is required for
 * admins (STAFF_2FA=required), an admin cannot turn it off.
 */
export async function disableTwoFactor(db: Db, input: { userId: string; proof: string; address: string; required: boolean }, ctx: WriteContext): Promise<void> {
  const user = db.select().from(users).where(eq(users.id, input.userId)).get();
  if (!user) throw notFound('user', input.userId);
  if (user.totpEnabledAt === null) throw new ShiraseError('CONFLICT', 'errors.twoFactor.alreadyOff');
  if (input.required && user.role === 'admin') {
    throw new ShiraseError('FORBIDDEN', 'errors.twoFactor.required', { hint: 'errors.twoFactor.required.hint' });
  }
  const attempt = claimSignInAttempt(db, user.email, input.address, ctx.now);
  // Codes guessed here count toward the account's ceiling like those at sign-in.
  const codeAttempt = claimCodeAttemptOrForgive(db, user.id, attempt, ctx.now, 'proof');
  const wrong = new ShiraseError('VALIDATION', NOT_CURRENT_CODE, {
    fields: [fieldIssue('proof', NOT_CURRENT_CODE)],
    hint: 'errors.twoFactor.notCurrentCode.hint',
  });
  try {
    db.transaction((tx) => {
      if (!checkSecondFactor(tx, user.id, input.proof, ctx.now)) throw wrong;
      forgiveSignInAttempt(tx, attempt);
      forgiveCodeAttempts(tx, user.id);
      clearTwoFactor(tx, user.id, ctx.now);
      recordAudit(tx, ctx, { action: 'user.two_factor_disable', entityType: 'user', entityId: user.id });
    });
  } catch (error) {
    if (error === wrong) noteWrongCode(db, codeAttempt, ctx.now);
    throw error;
  }
}

import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { ShiraseError, notFound, fieldIssue } from '../errors';
import { recordAudit } from '../audit/record-audit';
import type { WriteContext } from '../write-context';
import { NOT_PASSWORD_OR_CODE } from './disable-two-factor';
import { checkPasswordOrCode } from './password-or-code';
import { replaceRecoveryCodes } from './recovery-codes';
import { claimSignInAttempt, forgiveSignInAttempt } from './sign-in-throttle';

/**
 * Replaces one's recovery codes with ten new ones (returned once; the old
 * ones stop working), given the password or a current code.
 */
export async function renewRecoveryCodes(
  db: Db,
  input: { userId: string; proof: string; address: string },
  ctx: WriteContext,
): Promise<{ recoveryCodes: string[] }> {
  const user = db.select().from(users).where(eq(users.id, input.userId)).get();
  if (!user) throw notFound('user', input.userId);
  if (user.totpEnabledAt === null) throw new ShiraseError('CONFLICT', 'errors.twoFactor.alreadyOff');
  const attempt = claimSignInAttempt(db, user.email, input.address, ctx.now);
  const proof = await checkPasswordOrCode(user, input.proof);
  return db.transaction((tx) => {
    if (!proof.holds(tx, ctx.now)) {
      throw new ShiraseError('VALIDATION', NOT_PASSWORD_OR_CODE, { fields: [fieldIssue('renewProof', NOT_PASSWORD_OR_CODE)] });
    }
    forgiveSignInAttempt(tx, attempt);
    const recoveryCodes = replaceRecoveryCodes(tx, user.id, ctx.now);
    recordAudit(tx, ctx, { action: 'user.recovery_codes_renew', entityType: 'user', entityId: user.id, after: { recoveryCodes: recoveryCodes.length } });
    return { recoveryCodes };
  });
}

import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { ShiraseError, notFound, fieldIssue } from '../errors';
import { recordAudit } from '../audit/record-audit';
import type { WriteContext } from '../write-context';
import { acceptTotpCode } from './totp';
import { replaceRecoveryCodes } from './recovery-codes';
import { endUserSessions } from './sessions';

/**
 * Turns two-factor sign-in on once a code from the app proves it holds the
 * pending secret. Returns the recovery codes, to be shown once. Every other
 * session of the account ends: they were opened with the password alone, and
 * one opened by whoever had stolen it must not outlive the second factor.
 * The session turning it on (`keepSession`) stays.
 */
export function enableTwoFactor(
  db: Db,
  input: { userId: string; code: string; keepSession?: string },
  ctx: WriteContext,
): { recoveryCodes: string[]; sessionsEnded: number } {
  return db.transaction((tx) => {
    const user = tx.select().from(users).where(eq(users.id, input.userId)).get();
    if (!user) throw notFound('user', input.userId);
    if (user.totpEnabledAt !== null) throw new ShiraseError('CONFLICT', 'errors.twoFactor.alreadyOn', { hint: 'errors.twoFactor.alreadyOn.hint' });
    if (user.totpSecret === null) throw new ShiraseError('CONFLICT', 'errors.twoFactor.notStarted', { hint: 'errors.twoFactor.notStarted.hint' });
    const step = acceptTotpCode(user.totpSecret, input.code, null, ctx.now);
    if (step === null)
      throw new ShiraseError('VALIDATION', 'errors.twoFactor.wrongSetupCode', { fields: [fieldIssue('code', 'errors.twoFactor.wrongSetupCode')] });
    tx.update(users)
      .set({ totpEnabledAt: ctx.now, totpLastStep: step, updatedAt: ctx.now })
      .where(and(eq(users.id, user.id), isNull(users.totpEnabledAt)))
      .run();
    const recoveryCodes = replaceRecoveryCodes(tx, user.id, ctx.now);
    const sessionsEnded = endUserSessions(tx, user.id, input.keepSession);
    recordAudit(tx, ctx, {
      action: 'user.two_factor_enable',
      entityType: 'user',
      entityId: user.id,
      after: { recoveryCodes: recoveryCodes.length, sessionsEnded },
    });
    return { recoveryCodes, sessionsEnded };
  });
}

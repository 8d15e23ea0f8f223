import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { ShiraseError, notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import type { WriteContext } from '../write-context';
import { acceptTotpCode } from './totp';
import { replaceRecoveryCodes } from './recovery-codes';

const WRONG = 'That code does not match: check the app shows this account, and type the code it shows now.';

/**
 * Turns two-factor sign-in on once a code from the app proves it holds the
 * pending secret. Returns the recovery codes, to be shown once.
 */
export function enableTwoFactor(db: Db, input: { userId: string; code: string }, ctx: WriteContext): { recoveryCodes: string[] } {
  return db.transaction((tx) => {
    const user = tx.select().from(users).where(eq(users.id, input.userId)).get();
    if (!user) throw notFound(`User ${input.userId}`);
    if (user.totpEnabledAt !== null) throw new ShiraseError('CONFLICT', 'Two-factor sign-in is already on for this account.', { hint: 'Turn it off first to move it to another app.' });
    if (user.totpSecret === null) throw new ShiraseError('CONFLICT', 'Two-factor sign-in has not been started.', { hint: 'Start again from Your account.' });
    const step = acceptTotpCode(user.totpSecret, input.code, null, ctx.now);
    if (step === null) throw new ShiraseError('VALIDATION', WRONG, { fields: [{ field: 'code', message: WRONG }] });
    tx.update(users)
      .set({ totpEnabledAt: ctx.now, totpLastStep: step, updatedAt: ctx.now })
      .where(and(eq(users.id, user.id), isNull(users.totpEnabledAt)))
      .run();
    const recoveryCodes = replaceRecoveryCodes(tx, user.id, ctx.now);
    recordAudit(tx, ctx, { action: 'user.two_factor_enable', entityType: 'user', entityId: user.id, after: { recoveryCodes: recoveryCodes.length } });
    return { recoveryCodes };
  });
}

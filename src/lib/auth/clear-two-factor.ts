import { eq } from 'drizzle-orm';
import { recoveryCodes, signInChallenges, users } from '../../../db/schema';
import type { Tx } from '../incidents/log';

/** Turns two-factor sign-in off for an account: secret, last step, recovery codes and pending second steps go. */
export function clearTwoFactor(tx: Tx, userId: string, now: number): void {
  tx.update(users).set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null, updatedAt: now }).where(eq(users.id, userId)).run();
  tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
  tx.delete(signInChallenges).where(eq(signInChallenges.userId, userId)).run();
}

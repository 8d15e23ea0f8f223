import { and, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { signInChallenges, users } from '../../../db/schema';
import type { Tx } from '../incidents/log';
import { ShiraseError, fieldIssue } from '../errors';
import { hashToken } from './sessions';
import { openSignedInSession, type SignInOptions } from './sign-in';
import { claimSignInAttempt, countFailures, forgiveSignInAttempt, sleep, type SignInAttempt } from './sign-in-throttle';
import { acceptTotpCode, normalizeTotpCode } from './totp';
import { useRecoveryCode } from './recovery-codes';
import { claimCodeAttempt, forgiveCodeAttempts, noteWrongCode, type CodeAttempt } from './second-factor-ceiling';

/** Wrong codes one challenge takes before the password has to be typed again. */
const MAX_CODES_PER_CHALLENGE = 5;

/**
 * Claims a code attempt against the account's ceiling. One refused because
 * the account's code step waits checked nothing, so it does not count against
 * the address either: the owner retrying during the wait is not walled out.
 */
export function claimCodeAttemptOrForgive(db: Db, userId: string, attempt: SignInAttempt, now: number, field?: string): CodeAttempt {
  try {
    return claimCodeAttempt(db, userId, now, field);
  } catch (error) {
    forgiveSignInAttempt(db, attempt);
    throw error;
  }
}

function expired(): ShiraseError {
  return new ShiraseError('UNAUTHORIZED', 'errors.signIn.expired', { hint: 'errors.signIn.expired.hint' });
}

/**
 * Accepts a code from the account's authenticator app (once per time step,
 * one step of clock drift either way) or an unused recovery code, and records
 * the step or marks the code used in the same transaction as the new session.
 */
export function checkSecondFactor(tx: Tx, userId: string, code: string, now: number): 'totp' | 'recovery_code' | null {
  const user = tx.select({ totpSecret: users.totpSecret, totpLastStep: users.totpLastStep }).from(users).where(eq(users.id, userId)).get();
  if (!user?.totpSecret) return null;
  if (normalizeTotpCode(code)) {
    const step = acceptTotpCode(user.totpSecret, code, user.totpLastStep, now);
    if (step === null) return null;
    // Conditional, so two requests racing with the same code cannot both win.
    const claimed = tx
      .update(users)
      .set({ totpLastStep: step })
      .where(and(eq(users.id, userId), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
      .run();
    return claimed.changes === 1 ? 'totp' : null;
  }
  return useRecoveryCode(tx, userId, code, now) ? 'recovery_code' : null;
}

/**
 * The second step of a two-factor sign-in: the challenge from signIn and a
 * code. Wrong codes count like wrong passwords (per account and address,
 * per address, and per account as a delay), a challenge that has taken
 * too many is dropped, and past the account's ceiling on wrong codes from
 * every address together the code step waits (second-factor-ceiling.ts).
 */
export async function completeSignIn(db: Db, input: { challenge: string; code: string; address: string }, now: number, options: SignInOptions = {}) {
  if (!input.challenge || input.challenge.length > 100) throw expired();
  const challengeHash = hashToken(input.challenge);
  const challengeSubject = `challenge:${challengeHash}`;
  const found = db
    .select({ userId: users.id, email: users.email, disabledAt: users.disabledAt })
    .from(signInChallenges)
    .innerJoin(users, eq(users.id, signInChallenges.userId))
    .where(and(eq(signInChallenges.tokenHash, challengeHash), gt(signInChallenges.expiresAt, now)))
    .get();
  if (!found || found.disabledAt !== null) throw expired();
  const attempt = claimSignInAttempt(db, found.email, input.address, now, [challengeSubject]);
  // Counted after claiming, so answers sent in parallel from many addresses still add up.
  if (countFailures(db, challengeSubject, now) > MAX_CODES_PER_CHALLENGE) {
    db.delete(signInChallenges).where(eq(signInChallenges.tokenHash, challengeHash)).run();
    throw expired();
  }
  const codeAttempt = claimCodeAttemptOrForgive(db, found.userId, attempt, now);
  await (options.wait ?? sleep)(attempt.delayMs);
  const wrong = new ShiraseError('UNAUTHORIZED', 'errors.signIn.wrongCode', {
    fields: [fieldIssue('code', 'errors.signIn.wrongCode')],
    hint: 'errors.signIn.wrongCode.hint',
  });
  try {
    return db.transaction((tx) => {
      // Taking the challenge first makes it single-use even if two answers race;
      // a wrong code throws, which rolls the taking back and leaves it standing.
      const taken = tx
        .delete(signInChallenges)
        .where(and(eq(signInChallenges.tokenHash, challengeHash), gt(signInChallenges.expiresAt, now)))
        .run();
      if (taken.changes !== 1) throw expired();
      const method = checkSecondFactor(tx, found.userId, input.code, now);
      if (!method) throw wrong;
      forgiveCodeAttempts(tx, found.userId);
      return openSignedInSession(tx, { id: found.userId, email: found.email }, input.address, method, attempt, now);
    });
  } catch (error) {
    if (error === wrong) noteWrongCode(db, codeAttempt, now);
    throw error;
  }
}

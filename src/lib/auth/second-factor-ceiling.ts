// An account-wide ceiling on second-factor guesses. The walls per address
// (sign-in-throttle.ts) do not stop someone who knows the password and sends
// each guess from another address, so wrong codes are also counted per
// account, from every address together: past the ceiling the code step waits,
// twice as long after each further wrong code, and the owner is mailed. Only
// someone past the password step can make it wait, so a stranger still cannot
// lock the owner out; the owner's right code after the wait signs them in and
// clears the count.
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import type { Tx } from '../incidents/log';
import { ShiraseError, fieldIssue } from '../errors';
import { enqueueStaffNotice } from '../notifications/enqueue-staff';

/** Wrong codes in total, from any address, before the code step starts to wait. */
export const CODE_CEILING = 5;
/** The first wait; each further wrong code doubles it. */
export const FIRST_CODE_WAIT_MS = 60_000;
/** The longest wait, however many wrong codes. */
export const MAX_CODE_WAIT_MS = 3_600_000;
/** Wrong codes this old, with none since, are forgotten: months of typos add up to nothing. */
const FORGET_CODE_FAILURES_MS = 24 * 3_600_000;

export interface CodeAttempt {
  userId: string;
  /** This attempt's number since the last right code. */
  number: number;
  /** Until when the code step waits after this attempt, if it is wrong. */
  waitUntil: number | null;
}

/** How long the code step waits after the nth wrong code in a row. */
export function codeWaitMs(number: number): number {
  return number < CODE_CEILING ? 0 : Math.min(MAX_CODE_WAIT_MS, FIRST_CODE_WAIT_MS * 2 ** (number - CODE_CEILING));
}

/**
 * Counts a code attempt against the account before the code is looked at
 * (as claimSignInAttempt does, so guesses sent all at once each see the ones
 * before them), or refuses it (RATE_LIMITED, naming the form's code field)
 * while the account's code step waits.
 */
export function claimCodeAttempt(db: Db, userId: string, now: number, field = 'code'): CodeAttempt {
  return db.transaction((tx) => {
    const row = tx
      .select({ failures: users.codeFailures, failedAt: users.codeFailedAt, waitUntil: users.codeWaitUntil })
      .from(users)
      .where(eq(users.id, userId))
      .get();
    if (!row) throw new ShiraseError('UNAUTHORIZED', 'errors.signIn.expired', { hint: 'errors.signIn.expired.hint' });
    if (row.waitUntil !== null && now < row.waitUntil) {
      const seconds = Math.ceil((row.waitUntil - now) / 1000);
      throw new ShiraseError('RATE_LIMITED', 'errors.signIn.codeWait', {
        params: { minutes: Math.ceil(seconds / 60) },
        retryAfterSeconds: seconds,
        fields: [fieldIssue(field, 'errors.signIn.codeWait', { minutes: Math.ceil(seconds / 60) })],
        hint: 'errors.signIn.codeWait.hint',
      });
    }
    const before = row.failedAt !== null && now - row.failedAt > FORGET_CODE_FAILURES_MS ? 0 : row.failures;
    const number = before + 1;
    const wait = codeWaitMs(number);
    const waitUntil = wait > 0 ? now + wait : null;
    tx.update(users).set({ codeFailures: number, codeFailedAt: now, codeWaitUntil: waitUntil }).where(eq(users.id, userId)).run();
    return { userId, number, waitUntil };
  });
}

/** A right code: the account's count starts again, and nothing waits. */
export function forgiveCodeAttempts(tx: Db | Tx, userId: string): void {
  tx.update(users).set({ codeFailures: 0, codeFailedAt: null, codeWaitUntil: null }).where(eq(users.id, userId)).run();
}

/**
 * After a wrong code: when it is the one that reached the ceiling, the owner
 * is mailed (through the outbox, in the site's language) that someone who
 * knows the password is guessing codes, and until when the step waits.
 */
export function noteWrongCode(db: Db, attempt: CodeAttempt, now: number): void {
  if (attempt.number !== CODE_CEILING) return;
  db.transaction((tx) => {
    enqueueStaffNotice(
      tx,
      { kind: 'code_guessing', ref: `${attempt.number}:${attempt.waitUntil ?? now}`, onceKey: `code-guessing:${attempt.userId}:${now}` },
      [attempt.userId],
      now,
      { chat: false },
    );
  });
}

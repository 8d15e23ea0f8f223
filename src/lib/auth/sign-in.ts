import { and, count, eq, gte, lt, min } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { signInFailures, users } from '../../../db/schema';
import { ShiraseError } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { dummyHash, verifyPassword } from './password';
import { createSession } from './sessions';

export const FAILURE_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;

const WRONG = 'That email address and password do not match an account.';

function lockedFor(db: Db, subject: string, max: number, now: number): number {
  const since = now - FAILURE_WINDOW_MS;
  const row = db
    .select({ n: count(), oldest: min(signInFailures.at) })
    .from(signInFailures)
    .where(and(eq(signInFailures.subject, subject), gte(signInFailures.at, since)))
    .get();
  if (!row || row.n < max || row.oldest === null) return 0;
  return row.oldest + FAILURE_WINDOW_MS - now;
}

/**
 * Checks an email and password and opens a session. Failures are counted per
 * account and per client address; past the limit, sign-in answers
 * RATE_LIMITED until the window passes, whether or not the password is right.
 * Unknown accounts and wrong passwords get the same answer in the same time.
 */
export function signIn(db: Db, input: { email: string; password: string; address: string }, now: number): { token: string; expiresAt: number; userId: string } {
  const email = input.email.trim().toLowerCase();
  const account = `account:${email}`;
  const address = `address:${input.address}`;
  const wait = Math.max(lockedFor(db, account, MAX_FAILURES_PER_ACCOUNT, now), lockedFor(db, address, MAX_FAILURES_PER_ADDRESS, now));
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    throw new ShiraseError('RATE_LIMITED', `Too many failed sign-ins. Try again in ${Math.ceil(seconds / 60)} minute(s).`, {
      retryAfterSeconds: seconds,
      hint: 'If you forgot your password, ask an admin to reset it.',
    });
  }
  const user = db.select().from(users).where(eq(users.email, email)).get();
  const ok = verifyPassword(input.password, user?.passwordHash ?? dummyHash()) && user !== undefined && user.disabledAt === null;
  if (!ok || !user) {
    db.transaction((tx) => {
      tx.insert(signInFailures).values([{ subject: account, at: now }, { subject: address, at: now }]).run();
      tx.delete(signInFailures).where(lt(signInFailures.at, now - FAILURE_WINDOW_MS)).run();
    });
    throw new ShiraseError('UNAUTHORIZED', WRONG, { fields: [{ field: 'password', message: WRONG }] });
  }
  return db.transaction((tx) => {
    tx.delete(signInFailures).where(eq(signInFailures.subject, account)).run();
    const session = createSession(db, user.id, now);
    recordAudit(tx, { now, actor: { kind: 'user', id: user.id, label: user.email } }, { action: 'user.sign_in', entityType: 'user', entityId: user.id, after: { address: input.address } });
    return { ...session, userId: user.id };
  });
}

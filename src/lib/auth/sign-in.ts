import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { signInChallenges, users } from '../../../db/schema';
import type { Tx } from '../incidents/log';
import { ShiraseError, fieldIssue } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { dummyHash, verifyPassword } from './password';
import { createSession, deleteExpiredSessions, hashToken } from './sessions';
import { claimSignInAttempt, clearPairFailures, forgiveSignInAttempt, sleep, type SignInAttempt } from './sign-in-throttle';

/** How long the second step of a sign-in (the code) may wait after the password. */
const CHALLENGE_TTL_MS = 5 * 60_000;

export type SignInResult =
  | { kind: 'session'; token: string; expiresAt: number; userId: string }
  /** The password was right and a code is still owed: `challenge` goes back with it (see completeSignIn). */
  | { kind: 'challenge'; challenge: string; expiresAt: number; userId: string };

export interface SignInOptions {
  /** Waits out the account's delay; tests pass a recorder. */
  wait?: (ms: number) => Promise<void>;
}

/** Opens a session for a fully checked sign-in and records it, in the caller's transaction. */
export function openSignedInSession(tx: Tx, user: { id: string; email: string }, address: string, method: string, attempt: SignInAttempt, now: number) {
  forgiveSignInAttempt(tx, attempt);
  clearPairFailures(tx, user.email, address);
  const session = createSession(tx, user.id, now);
  recordAudit(
    tx,
    { now, actor: { kind: 'user', id: user.id, label: user.email } },
    { action: 'user.sign_in', entityType: 'user', entityId: user.id, after: { address, method } },
  );
  return { kind: 'session' as const, ...session, userId: user.id };
}

/**
 * Checks an email and password. With two-factor sign-in on for the account,
 * no session yet: a short-lived challenge the code must come back with.
 *
 * Failures are counted per (account, address) and per address, which are
 * refused (RATE_LIMITED) past their limits, and per account, which only
 * makes the next attempts wait a few seconds at most: wrong guesses from one
 * place never lock the owner out from another. Unknown accounts and wrong
 * passwords get the same answer in the same time.
 */
export async function signIn(
  db: Db,
  input: { email: string; password: string; address: string },
  now: number,
  options: SignInOptions = {},
): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const attempt = claimSignInAttempt(db, email, input.address, now);
  await (options.wait ?? sleep)(attempt.delayMs);
  const user = db.select().from(users).where(eq(users.email, email)).get();
  const ok = (await verifyPassword(input.password, user?.passwordHash ?? (await dummyHash()))) && user !== undefined && user.disabledAt === null;
  if (!ok || !user) {
    throw new ShiraseError('UNAUTHORIZED', 'errors.signIn.wrong', { fields: [fieldIssue('password', 'errors.signIn.wrong')] });
  }
  if (user.totpEnabledAt !== null && user.totpSecret !== null) {
    const challenge = randomBytes(32).toString('base64url');
    const expiresAt = now + CHALLENGE_TTL_MS;
    db.transaction((tx) => {
      // The password was right: not a failure, though the sign-in is not finished.
      forgiveSignInAttempt(tx, attempt);
      deleteExpiredSessions(tx, now);
      tx.insert(signInChallenges)
        .values({ tokenHash: hashToken(challenge), userId: user.id, expiresAt, createdAt: now })
        .run();
    });
    return { kind: 'challenge', challenge, expiresAt, userId: user.id };
  }
  return db.transaction((tx) => openSignedInSession(tx, user, input.address, 'password', attempt, now));
}

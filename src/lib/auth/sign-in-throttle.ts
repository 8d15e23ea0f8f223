// Counting failed sign-ins (wrong passwords, wrong codes). A stranger must be
// able to slow an attacker down but never to lock staff out, so the walls
// (answers of RATE_LIMITED) stand per (account, address) pair and per
// address; per account there is only a short, bounded wait.
import { and, count, eq, gte, inArray, lt, min, or, sql } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { signInFailures } from '../../../db/schema';
import type { Tx } from '../incidents/log';
import { ShiraseError } from '../errors';
import { addressKey } from './address-key';

export const FAILURE_WINDOW_MS = 15 * 60_000;
/** Failures of one account from one address before that address is refused for it. */
export const MAX_FAILURES_PER_PAIR = 5;
/** Failures from one address, whatever the accounts, before it is refused. */
const MAX_FAILURES_PER_ADDRESS = 20;
/** The longest an account's sign-in waits, however many failures it has had. */
export const MAX_ACCOUNT_DELAY_MS = 3_000;
/** Failures of the account in the window before sign-ins to it start to wait. */
const FREE_FAILURES = 3;

const accountSubject = (email: string) => `account:${email}`;
const pairPrefix = (email: string) => `pair:${email}|`;
const pairSubject = (email: string, address: string) => `${pairPrefix(email)}${addressKey(address)}`;
const addressSubject = (address: string) => `address:${addressKey(address)}`;

function failures(db: Db | Tx, subject: string, now: number): { n: number; oldest: number | null } {
  const row = db
    .select({ n: count(), oldest: min(signInFailures.at) })
    .from(signInFailures)
    .where(and(eq(signInFailures.subject, subject), gte(signInFailures.at, now - FAILURE_WINDOW_MS)))
    .get();
  return { n: row?.n ?? 0, oldest: row?.oldest ?? null };
}

function lockedFor(db: Db | Tx, subject: string, max: number, now: number): number {
  const { n, oldest } = failures(db, subject, now);
  if (n < max || oldest === null) return 0;
  return oldest + FAILURE_WINDOW_MS - now;
}

/** Refuses with RATE_LIMITED when this address has failed too often, for this account or for any. */
function checkSignInWalls(db: Db | Tx, email: string, address: string, now: number): void {
  const wait = Math.max(
    lockedFor(db, pairSubject(email, address), MAX_FAILURES_PER_PAIR, now),
    lockedFor(db, addressSubject(address), MAX_FAILURES_PER_ADDRESS, now),
  );
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    throw new ShiraseError('RATE_LIMITED', 'errors.signIn.throttled', {
      params: { minutes: Math.ceil(seconds / 60) },
      retryAfterSeconds: seconds,
      hint: 'errors.signIn.throttled.hint',
    });
  }
}

/**
 * How long a sign-in to this account waits before its password or code is
 * checked: nothing for the first few failures in the window, then doubling up
 * to MAX_ACCOUNT_DELAY_MS. It slows guessing from many addresses at once and
 * never refuses, so the owner always gets in with the right password.
 */
function accountDelayMs(db: Db | Tx, email: string, now: number): number {
  const { n } = failures(db, accountSubject(email), now);
  if (n <= FREE_FAILURES) return 0;
  return Math.min(MAX_ACCOUNT_DELAY_MS, 250 * 2 ** (n - FREE_FAILURES - 1));
}

export interface SignInAttempt {
  /** How long to wait before checking the password or code (see accountDelayMs). */
  delayMs: number;
  /** The rows counted for this attempt, removed again if it succeeds. */
  ids: number[];
}

/**
 * Starts an attempt: refuses it past the walls, otherwise counts it as a
 * failure against the account, the pair, the address (and anything else
 * named, such as a challenge) before the password or code is even looked at.
 * Counting first means requests sent in parallel, all waiting out the delay
 * together, each see the ones before them; a success takes its rows back
 * with forgiveSignInAttempt.
 */
export function claimSignInAttempt(db: Db, email: string, address: string, now: number, extra: string[] = []): SignInAttempt {
  return db.transaction((tx) => {
    checkSignInWalls(tx, email, address, now);
    const delayMs = accountDelayMs(tx, email, now);
    const subjects = [accountSubject(email), pairSubject(email, address), addressSubject(address), ...extra];
    const rows = tx
      .insert(signInFailures)
      .values(subjects.map((subject) => ({ subject, at: now })))
      .returning({ id: signInFailures.id })
      .all();
    tx.delete(signInFailures)
      .where(lt(signInFailures.at, now - FAILURE_WINDOW_MS))
      .run();
    return { delayMs, ids: rows.map((r) => r.id) };
  });
}

/** The attempt was right after all: it no longer counts. */
export function forgiveSignInAttempt(tx: Db | Tx, attempt: SignInAttempt): void {
  if (attempt.ids.length > 0) tx.delete(signInFailures).where(inArray(signInFailures.id, attempt.ids)).run();
}

/** How many failures a subject has had in the window. */
export function countFailures(db: Db | Tx, subject: string, now: number): number {
  return failures(db, subject, now).n;
}

/** After a successful sign-in: this address's failures for this account no longer count. */
export function clearPairFailures(tx: Db | Tx, email: string, address: string): void {
  tx.delete(signInFailures)
    .where(eq(signInFailures.subject, pairSubject(email, address)))
    .run();
}

/** Forgets every failure counted against an account, from every address. Returns how many there were. */
export function clearAccountFailures(tx: Db | Tx, email: string): number {
  const prefix = pairPrefix(email);
  // substr rather than LIKE: an address may contain % or _.
  const result = tx
    .delete(signInFailures)
    .where(or(eq(signInFailures.subject, accountSubject(email)), sql`substr(${signInFailures.subject}, 1, ${prefix.length}) = ${prefix}`))
    .run();
  return result.changes;
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

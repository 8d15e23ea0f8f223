import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, inArray, lt, ne } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { sessions, signInChallenges, users } from '../../../db/schema';
import type { Tx } from '../incidents/log';
import type { Role } from './users';

export const SESSION_COOKIE = 'shirase_session';
/** A session ends after this long without use. */
export const SESSION_IDLE_MS = 12 * 3_600_000;
/** Refreshing the expiry on every request would turn reads into writes; once in a while is enough. */
const TOUCH_EVERY_MS = 5 * 60_000;

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  /** Whether the account signs in with a second factor. */
  twoFactor: boolean;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Expired rows removed per sign-in: enough to keep up with sign-ins, never a long write. */
const PURGE_BATCH = 100;

export function createSession(db: Db | Tx, userId: string, now: number): { token: string; expiresAt: number } {
  deleteExpiredSessions(db, now);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = now + SESSION_IDLE_MS;
  db.insert(sessions)
    .values({ tokenHash: hashToken(token), userId, createdAt: now, expiresAt, lastSeenAt: now })
    .run();
  return { token, expiresAt };
}

/**
 * The signed-in user for a session token, or null if it is unknown, expired
 * (idle too long, or older than `maxAgeMs` since its sign-in however busy),
 * or its account is disabled.
 */
export function findSessionUser(db: Db, token: string | undefined, now: number, maxAgeMs: number): SessionUser | null {
  if (!token || token.length > 100) return null;
  const tokenHash = hashToken(token);
  const row = db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      disabledAt: users.disabledAt,
      totpEnabledAt: users.totpEnabledAt,
      lastSeenAt: sessions.lastSeenAt,
      createdAt: sessions.createdAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now), gt(sessions.createdAt, now - maxAgeMs)))
    .get();
  if (!row || row.disabledAt !== null) return null;
  if (now - row.lastSeenAt > TOUCH_EVERY_MS) {
    // Never past the absolute end, so the purge removes it then.
    db.update(sessions)
      .set({ lastSeenAt: now, expiresAt: Math.min(now + SESSION_IDLE_MS, row.createdAt + maxAgeMs) })
      .where(eq(sessions.tokenHash, tokenHash))
      .run();
  }
  return { id: row.id, email: row.email, name: row.name, role: row.role, twoFactor: row.totpEnabledAt !== null };
}

export function endSession(db: Db, token: string | undefined): void {
  if (token)
    db.delete(sessions)
      .where(eq(sessions.tokenHash, hashToken(token)))
      .run();
}

/**
 * Ends every session of an account at once (a reset, a disable), or every
 * other one (a password change keeps the session that made it).
 */
export function endUserSessions(tx: Db | Tx, userId: string, keepToken?: string): number {
  const where = keepToken ? and(eq(sessions.userId, userId), ne(sessions.tokenHash, hashToken(keepToken))) : eq(sessions.userId, userId);
  return tx.delete(sessions).where(where).run().changes;
}

/**
 * Removes expired sessions and sign-in challenges, a bounded batch at a time,
 * so whoever signs in next pays for at most a few index lookups.
 */
export function deleteExpiredSessions(db: Db | Tx, now: number): void {
  const expired = db.select({ tokenHash: sessions.tokenHash }).from(sessions).where(lt(sessions.expiresAt, now)).limit(PURGE_BATCH);
  db.delete(sessions).where(inArray(sessions.tokenHash, expired)).run();
  const stale = db.select({ tokenHash: signInChallenges.tokenHash }).from(signInChallenges).where(lt(signInChallenges.expiresAt, now)).limit(PURGE_BATCH);
  db.delete(signInChallenges).where(inArray(signInChallenges.tokenHash, stale)).run();
}

import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import type { Tx } from '../incidents/log';
import { apiTokens, users } from '../../../db/schema';
import { ShiraseError } from '../errors';
import type { Actor } from '../write-context';
import { hashToken } from './sessions';
import type { Role } from './users';

/**
 * `alerts` only sends alerts in; `alert_rules` manages the rules that decide
 * what alerts do, which may publish incidents and tell subscribers with no
 * person involved, so it is an admin's scope. `pages` manages the status
 * pages, which decide what each host name shows: an admin's, as the screen
 * for them is.
 */
export const TOKEN_SCOPES = ['read', 'incidents', 'components', 'maintenance', 'alerts', 'alert_rules', 'pages'] as const;

export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** What each role may do through a token: no more than the same person may do in the admin. */
export const SCOPES_BY_ROLE: Record<Role, readonly TokenScope[]> = {
  admin: TOKEN_SCOPES,
  editor: ['read', 'incidents', 'components', 'maintenance', 'alerts'],
};

/**
 * Every token, newest first, with what it can still do as its creator stands
 * now: `stopped` when the creator is disabled, `idleScopes` that the
 * creator's role no longer has (authenticateToken refuses both).
 */
export function listApiTokens(db: Db) {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      scopes: apiTokens.scopes,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
      createdBy: apiTokens.createdBy,
      creatorRole: users.role,
      creatorDisabledAt: users.disabledAt,
    })
    .from(apiTokens)
    .leftJoin(users, eq(users.id, apiTokens.createdBy))
    .orderBy(desc(apiTokens.createdAt))
    .all()
    .map(({ createdBy, creatorRole, creatorDisabledAt, ...t }) => {
      const scopes = JSON.parse(t.scopes) as TokenScope[];
      return {
        ...t,
        scopes,
        stopped: createdBy !== null && (creatorRole === null || creatorDisabledAt !== null),
        idleScopes: creatorRole === null ? [] : scopes.filter((s) => !SCOPES_BY_ROLE[creatorRole].includes(s)),
      };
    });
}

/** Tokens an account created that are not revoked: the ones that stop working when it is disabled. */
export function countLiveTokensOf(db: Db | Tx, userId: string): number {
  return db
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(and(eq(apiTokens.createdBy, userId), isNull(apiTokens.revokedAt)))
    .all().length;
}

/**
 * Checks a `Bearer` token and its scope and returns the actor it acts as.
 * Missing or unknown tokens are UNAUTHORIZED; a valid token without the
 * scope is FORBIDDEN. A token acts as the person who created it, checked on
 * every use: a disabled creator makes it UNAUTHORIZED, and a scope beyond the
 * creator's current role FORBIDDEN. Tokens made by the system (no creator)
 * have only their scopes.
 */
export function authenticateToken(db: Db, authorization: string | null, scope: TokenScope, now: number): Actor {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) {
    throw new ShiraseError('UNAUTHORIZED', 'errors.token.missing', { hint: 'errors.token.missing.hint' });
  }
  const row = db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      scopes: apiTokens.scopes,
      revokedAt: apiTokens.revokedAt,
      lastUsedAt: apiTokens.lastUsedAt,
      createdBy: apiTokens.createdBy,
      creatorRole: users.role,
      creatorDisabledAt: users.disabledAt,
    })
    .from(apiTokens)
    .leftJoin(users, eq(users.id, apiTokens.createdBy))
    .where(eq(apiTokens.tokenHash, hashToken(match[1]!)))
    .get();
  if (!row || row.revokedAt !== null) {
    throw new ShiraseError('UNAUTHORIZED', 'errors.token.unknown', { hint: 'errors.token.unknown.hint' });
  }
  if (row.createdBy !== null && (row.creatorRole === null || row.creatorDisabledAt !== null)) {
    throw new ShiraseError('UNAUTHORIZED', 'errors.token.creatorDisabled', { hint: 'errors.token.creatorDisabled.hint' });
  }
  const scopes = JSON.parse(row.scopes) as TokenScope[];
  if (!scopes.includes(scope)) {
    throw new ShiraseError('FORBIDDEN', 'errors.token.scope', {
      params: { scope },
      hint: { key: 'errors.token.scope.hint', params: { scope, scopes: scopes.join(', ') } },
    });
  }
  if (row.creatorRole !== null && !SCOPES_BY_ROLE[row.creatorRole].includes(scope)) {
    throw new ShiraseError('FORBIDDEN', 'errors.token.creatorRole', { params: { scope, role: row.creatorRole }, hint: 'errors.token.creatorRole.hint' });
  }
  if (row.lastUsedAt === null || now - row.lastUsedAt > 60_000) db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id)).run();
  return { kind: 'token', id: row.id, label: `token ${row.name} (${row.prefix}…)` };
}

import { desc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { apiTokens } from '../../../db/schema';
import { ShiraseError } from '../errors';
import type { Actor } from '../write-context';
import { hashToken } from './sessions';

export const TOKEN_SCOPES = ['read', 'incidents', 'components', 'maintenance', 'alerts'] as const;

export type TokenScope = (typeof TOKEN_SCOPES)[number];

export function listApiTokens(db: Db) {
  return db
    .select({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix, scopes: apiTokens.scopes, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt, revokedAt: apiTokens.revokedAt })
    .from(apiTokens)
    .orderBy(desc(apiTokens.createdAt))
    .all()
    .map((t) => ({ ...t, scopes: JSON.parse(t.scopes) as TokenScope[] }));
}

/**
 * Checks a `Bearer` token and its scope and returns the actor it acts as.
 * Missing or unknown tokens are UNAUTHORIZED; a valid token without the
 * scope is FORBIDDEN.
 */
export function authenticateToken(db: Db, authorization: string | null, scope: TokenScope, now: number): Actor {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) {
    throw new ShiraseError('UNAUTHORIZED', 'errors.token.missing', { hint: 'errors.token.missing.hint' });
  }
  const row = db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hashToken(match[1]!))).get();
  if (!row || row.revokedAt !== null) {
    throw new ShiraseError('UNAUTHORIZED', 'errors.token.unknown', { hint: 'errors.token.unknown.hint' });
  }
  const scopes = JSON.parse(row.scopes) as TokenScope[];
  if (!scopes.includes(scope)) {
    throw new ShiraseError('FORBIDDEN', 'errors.token.scope', {
      params: { scope },
      hint: { key: 'errors.token.scope.hint', params: { scope, scopes: scopes.join(', ') } },
    });
  }
  if (row.lastUsedAt === null || now - row.lastUsedAt > 60_000) db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id)).run();
  return { kind: 'token', id: row.id, label: `token ${row.name} (${row.prefix}…)` };
}

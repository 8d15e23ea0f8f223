import { randomBytes } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { apiTokens } from '../../../db/schema';
import { ShiraseError, notFound } from '../errors';
import { newPublicId } from '../ids';
import { recordAudit } from '../audit/record-audit';
import { nameField, parseInput } from '../validation';
import type { Actor, WriteContext } from '../write-context';
import { hashToken } from './sessions';

export const TOKEN_SCOPES = ['read', 'incidents', 'components', 'maintenance'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
const TOKEN_PREFIX = 'shr_';

const createSchema = z.object({
  name: nameField,
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1, 'errors.field.pickScope'),
});

/** Creates a token. The token itself is returned once; only its hash is kept. */
export function createApiToken(db: Db, input: z.input<typeof createSchema>, ctx: WriteContext): { id: string; token: string } {
  const data = parseInput(createSchema, input, 'token');
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = newPublicId();
  db.transaction((tx) => {
    tx.insert(apiTokens)
      .values({
        id,
        name: data.name,
        prefix: token.slice(0, TOKEN_PREFIX.length + 6),
        tokenHash: hashToken(token),
        scopes: JSON.stringify([...new Set(data.scopes)]),
        createdBy: ctx.actor?.kind === 'user' ? ctx.actor.id : null,
        createdAt: ctx.now,
      })
      .run();
    recordAudit(tx, ctx, { action: 'token.create', entityType: 'api_token', entityId: id, after: data });
  });
  return { id, token };
}

export function revokeApiToken(db: Db, id: string, ctx: WriteContext): void {
  db.transaction((tx) => {
    const row = tx.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
    if (!row) throw notFound('token', id);
    tx.update(apiTokens).set({ revokedAt: ctx.now }).where(eq(apiTokens.id, id)).run();
    recordAudit(tx, ctx, { action: 'token.revoke', entityType: 'api_token', entityId: id, before: { name: row.name } });
  });
}

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

import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { eq } from 'drizzle-orm';
import { apiTokens, users } from '../../../db/schema';
import { fieldIssue, notSaved } from '../errors';
import { newPublicId } from '../ids';
import { recordAudit } from '../audit/record-audit';
import { nameField, parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { hashToken } from './sessions';
import { SCOPES_BY_ROLE, TOKEN_SCOPES } from './api-tokens';

const TOKEN_PREFIX = 'shr_';

export const newTokenSchema = z.object({
  name: nameField,
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1, 'errors.field.pickScope'),
});

/**
 * Creates a token. The token itself is returned once; only its hash is kept.
 * A person may give a token only scopes their role has (authenticateToken
 * checks it again on every use, for a role changed since).
 */
export function createApiToken(db: Db, input: z.input<typeof newTokenSchema>, ctx: WriteContext): { id: string; token: string } {
  const data = parseInput(newTokenSchema, input, 'token');
  if (ctx.actor?.kind === 'user' && ctx.actor.id) {
    const role = db.select({ role: users.role }).from(users).where(eq(users.id, ctx.actor.id)).get()?.role;
    const allowed: readonly string[] = role ? SCOPES_BY_ROLE[role] : [];
    const beyond = data.scopes.filter((s) => !allowed.includes(s));
    if (beyond.length > 0) throw notSaved('token', [fieldIssue('scopes', 'errors.field.scopeBeyondRole', { scopes: beyond.join(', ') })]);
  }
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

import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { apiTokens } from '../../../db/schema';
import { notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import type { WriteContext } from '../write-context';

export function revokeApiToken(db: Db, id: string, ctx: WriteContext): void {
  db.transaction((tx) => {
    const row = tx.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
    if (!row) throw notFound('token', id);
    tx.update(apiTokens).set({ revokedAt: ctx.now }).where(eq(apiTokens.id, id)).run();
    recordAudit(tx, ctx, { action: 'token.revoke', entityType: 'api_token', entityId: id, before: { name: row.name } });
  });
}

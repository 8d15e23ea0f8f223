import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { webhooks } from '../../../db/schema';
import { notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import type { WriteContext } from '../write-context';

export function disableWebhook(db: Db, id: string, ctx: WriteContext): void {
  db.transaction((tx) => {
    const row = tx.select().from(webhooks).where(eq(webhooks.id, id)).get();
    if (!row) throw notFound('webhook', id);
    tx.update(webhooks).set({ disabledAt: ctx.now }).where(eq(webhooks.id, id)).run();
    recordAudit(tx, ctx, { action: 'webhook.disable', entityType: 'webhook', entityId: id, before: { url: row.url } });
  });
}

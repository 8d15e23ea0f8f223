import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { updateTemplates } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { notFound } from '../errors';
import type { WriteContext } from '../write-context';

/** Deletes a template; updates already posted from it keep their text. */
export function deleteTemplate(db: Db, id: string, ctx: WriteContext): void {
  db.transaction((tx) => {
    const before = tx.select().from(updateTemplates).where(eq(updateTemplates.id, id)).get();
    if (!before) throw notFound('template', id);
    tx.delete(updateTemplates).where(eq(updateTemplates.id, id)).run();
    recordAudit(tx, ctx, { action: 'template.delete', entityType: 'template', entityId: id, before });
  });
}

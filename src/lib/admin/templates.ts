import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { updateTemplates } from '../../../db/schema';
import { notFound } from '../errors';
import { newPublicId } from '../ids';
import { recordAudit } from '../audit/record-audit';
import { POSTABLE_STATUSES } from '../status/vocabulary';
import { bodyField, nameField, parseInput } from '../validation';
import type { WriteContext } from '../write-context';

const schema = z.object({
  name: nameField,
  status: z.enum(POSTABLE_STATUSES, { errorMap: () => ({ message: 'errors.field.pickTemplateStatus' }) }),
  body: bodyField,
});

export function listTemplates(db: Db) {
  return db.select().from(updateTemplates).orderBy(asc(updateTemplates.name)).all();
}

/** Saves an update text staff can start from; with an id, replaces that template. */
export function saveTemplate(db: Db, id: string | undefined, input: z.input<typeof schema>, ctx: WriteContext): { id: string } {
  const data = parseInput(schema, input, 'template');
  return db.transaction((tx) => {
    if (id) {
      const before = tx.select().from(updateTemplates).where(eq(updateTemplates.id, id)).get();
      if (!before) throw notFound('template', id);
      tx.update(updateTemplates).set({ ...data, updatedAt: ctx.now }).where(eq(updateTemplates.id, id)).run();
      recordAudit(tx, ctx, { action: 'template.edit', entityType: 'template', entityId: id, before, after: data });
      return { id };
    }
    const newId = newPublicId();
    tx.insert(updateTemplates).values({ id: newId, ...data, createdAt: ctx.now, updatedAt: ctx.now }).run();
    recordAudit(tx, ctx, { action: 'template.create', entityType: 'template', entityId: newId, after: data });
    return { id: newId };
  });
}

export function deleteTemplate(db: Db, id: string, ctx: WriteContext): void {
  db.transaction((tx) => {
    const before = tx.select().from(updateTemplates).where(eq(updateTemplates.id, id)).get();
    if (!before) throw notFound('template', id);
    tx.delete(updateTemplates).where(eq(updateTemplates.id, id)).run();
    recordAudit(tx, ctx, { action: 'template.delete', entityType: 'template', entityId: id, before });
  });
}

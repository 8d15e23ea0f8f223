import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { updateTemplates } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { notFound } from '../errors';
import { newPublicId } from '../ids';
import { POSTABLE_STATUSES } from '../status/vocabulary';
import { bodyField, nameField, parseInput } from '../validation';
import { serializeTranslations, translationsSchema, type Translations } from '../i18n/translations';
import type { WriteContext } from '../write-context';

const schema = z.object({
  name: nameField,
  status: z.enum(POSTABLE_STATUSES, { errorMap: () => ({ message: 'errors.field.pickTemplateStatus' }) }),
  body: bodyField,
  /** The body in the other languages, written like the original (variables included). */
  translations: translationsSchema({ body: bodyField }),
});
export type TemplateInput = z.input<typeof schema>;

/** Saves an update text staff can start from, in each language; with an id, replaces that template. */
export function saveTemplate(db: Db, id: string | undefined, input: TemplateInput, ctx: WriteContext): { id: string } {
  const parsed = parseInput(schema, input, 'template');
  const data = {
    name: parsed.name,
    status: parsed.status,
    body: parsed.body,
    translations: serializeTranslations(parsed.translations as Translations | undefined),
  };
  return db.transaction((tx) => {
    if (id) {
      const before = tx.select().from(updateTemplates).where(eq(updateTemplates.id, id)).get();
      if (!before) throw notFound('template', id);
      tx.update(updateTemplates)
        .set({ ...data, updatedAt: ctx.now })
        .where(eq(updateTemplates.id, id))
        .run();
      recordAudit(tx, ctx, { action: 'template.edit', entityType: 'template', entityId: id, before, after: data });
      return { id };
    }
    const newId = newPublicId();
    tx.insert(updateTemplates)
      .values({ id: newId, ...data, createdAt: ctx.now, updatedAt: ctx.now })
      .run();
    recordAudit(tx, ctx, { action: 'template.create', entityType: 'template', entityId: newId, after: data });
    return { id: newId };
  });
}

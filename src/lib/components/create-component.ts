import { z } from 'zod';
import { eq, max, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { componentGroups, components } from '../../../db/schema';
import { newPublicId } from '../ids';
import { bumpChangeCounter } from '../site/change-counter';
import { recordAudit } from '../audit/record-audit';
import { MAX_DESCRIPTION_CHARS, nameField, parseInput, publicIdField } from '../validation';
import { ShiraseError, fieldIssue } from '../errors';
import type { WriteContext } from '../write-context';
import { serializeTranslations, translationsSchema, type Translations } from '../i18n/translations';
import { assertComponentNameFree } from './component-names';
import { putOnDefaultPage } from '../pages/default-page';

export const descriptionField = z.string().trim().max(MAX_DESCRIPTION_CHARS, 'errors.field.descriptionTooLong').optional();

const componentSchema = z.object({
  name: nameField,
  description: descriptionField,
  groupId: publicIdField('errors.field.pickGroup').nullish(),
  onlyShowIfDegraded: z.boolean().default(false),
  /** When the component began being measured; backfilled demos set it in the past. */
  createdAt: z.number().int().optional(),
  translations: translationsSchema({ name: nameField, description: descriptionField }),
});

/** Adds a component at the end of its group (or of the ungrouped list). */
export function createComponent(db: Db, input: z.input<typeof componentSchema>, ctx: WriteContext): { componentId: string } {
  const data = parseInput(componentSchema, input, 'component');
  return db.transaction((tx) => {
    if (data.groupId) {
      const group = tx.select({ id: componentGroups.id }).from(componentGroups).where(eq(componentGroups.id, data.groupId)).get();
      if (!group) {
        throw new ShiraseError('VALIDATION', 'errors.component.groupMissing', { fields: [fieldIssue('groupId', 'errors.field.pickGroupOrNone')] });
      }
    }
    assertComponentNameFree(tx, data.name, data.groupId ?? null);
    const last = tx
      .select({ p: max(components.position) })
      .from(components)
      .where(data.groupId ? eq(components.groupId, data.groupId) : isNull(components.groupId))
      .get();
    const componentId = newPublicId();
    tx.insert(components)
      .values({
        id: componentId,
        name: data.name,
        description: data.description || null,
        groupId: data.groupId ?? null,
        position: (last?.p ?? 0) + 1,
        onlyShowIfDegraded: data.onlyShowIfDegraded,
        translations: serializeTranslations(data.translations as Translations | undefined),
        createdAt: data.createdAt ?? ctx.now,
        updatedAt: ctx.now,
      })
      .run();
    putOnDefaultPage(tx, componentId);
    recordAudit(tx, ctx, { action: 'component.create', entityType: 'component', entityId: componentId, after: data });
    bumpChangeCounter(tx);
    return { componentId };
  });
}

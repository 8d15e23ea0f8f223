import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { componentGroups, components } from '../../../db/schema';
import { ShiraseError, notFound, fieldIssue } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { assertVersion, assertWritten, versionField } from '../edit-version';
import { bumpChangeCounter } from '../site/change-counter';
import { MAX_DESCRIPTION_CHARS, nameField, parseInput, publicIdField } from '../validation';
import type { WriteContext } from '../write-context';
import { serializeTranslations, translationsSchema, type Translations } from '../i18n/translations';
import { assertComponentNameFree } from './component-names';

const idField = publicIdField('errors.field.pickOne');

const editSchema = z.object({
  name: nameField.optional(),
  description: z.string().trim().max(MAX_DESCRIPTION_CHARS, 'errors.field.descriptionTooLong').nullish(),
  groupId: idField.nullish(),
  onlyShowIfDegraded: z.boolean().optional(),
  translations: translationsSchema({ name: nameField, description: z.string().trim().max(MAX_DESCRIPTION_CHARS) }),
  version: versionField,
});

export function editComponent(db: Db, componentId: string, input: z.input<typeof editSchema>, ctx: WriteContext): void {
  const data = parseInput(editSchema, input, 'component');
  db.transaction((tx) => {
    const before = tx.select().from(components).where(eq(components.id, componentId)).get();
    if (!before) throw notFound('component', componentId);
    const stored = () => ({ version: before.version, values: { name: before.name, description: before.description } });
    assertVersion(data.version, stored());
    if (data.groupId) {
      const group = tx.select({ id: componentGroups.id }).from(componentGroups).where(eq(componentGroups.id, data.groupId)).get();
      if (!group) throw new ShiraseError('VALIDATION', 'errors.group.missing', { fields: [fieldIssue('groupId', 'errors.field.pickGroupOrNone')] });
    }
    if (data.name !== undefined || data.groupId !== undefined) {
      assertComponentNameFree(tx, data.name ?? before.name, data.groupId !== undefined ? (data.groupId ?? null) : before.groupId, componentId);
    }
    const set: Partial<typeof components.$inferInsert> = { updatedAt: ctx.now, version: before.version + 1 };
    if (data.name !== undefined) set.name = data.name;
    if (data.description !== undefined) set.description = data.description || null;
    if (data.groupId !== undefined) set.groupId = data.groupId ?? null;
    if (data.onlyShowIfDegraded !== undefined) set.onlyShowIfDegraded = data.onlyShowIfDegraded;
    if (data.translations !== undefined) set.translations = serializeTranslations(data.translations as Translations);
    assertWritten(
      tx
        .update(components)
        .set(set)
        .where(and(eq(components.id, componentId), eq(components.version, before.version)))
        .run().changes,
      stored,
    );
    recordAudit(tx, ctx, { action: 'component.edit', entityType: 'component', entityId: componentId, before, after: { ...data, version: before.version + 1 } });
    bumpChangeCounter(tx);
  });
}

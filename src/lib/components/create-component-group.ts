import { z } from 'zod';
import { max } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { componentGroups } from '../../../db/schema';
import { newPublicId } from '../ids';
import { bumpChangeCounter } from '../site/change-counter';
import { recordAudit } from '../audit/record-audit';
import { nameField, parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { serializeTranslations, translationsSchema, type Translations } from '../i18n/translations';
import { descriptionField } from './create-component';
import { assertGroupNameFree } from './component-names';

const groupSchema = z.object({
  name: nameField,
  description: descriptionField,
  createdAt: z.number().int().optional(),
  translations: translationsSchema({ name: nameField, description: descriptionField }),
});

/** Adds a component group at the end of the page. */
export function createComponentGroup(db: Db, input: z.input<typeof groupSchema>, ctx: WriteContext): { groupId: string } {
  const data = parseInput(groupSchema, input, 'group');
  return db.transaction((tx) => {
    assertGroupNameFree(tx, data.name);
    const last = tx
      .select({ p: max(componentGroups.position) })
      .from(componentGroups)
      .get();
    const groupId = newPublicId();
    tx.insert(componentGroups)
      .values({
        id: groupId,
        name: data.name,
        description: data.description || null,
        position: (last?.p ?? 0) + 1,
        translations: serializeTranslations(data.translations as Translations | undefined),
        createdAt: data.createdAt ?? ctx.now,
        updatedAt: ctx.now,
      })
      .run();
    recordAudit(tx, ctx, { action: 'group.create', entityType: 'component_group', entityId: groupId, after: data });
    bumpChangeCounter(tx);
    return { groupId };
  });
}

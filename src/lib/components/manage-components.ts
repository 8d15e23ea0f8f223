import { and, count, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { componentGroups, componentStatusChanges, components, incidentComponents } from '../../../db/schema';
import { ShiraseError, notFound, fieldIssue } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { componentStatusAt, recordStatusChanges } from '../incidents/log';
import { assertVersion, assertWritten, versionField } from '../edit-version';
import { bumpChangeCounter } from '../site/change-counter';
import { COMPONENT_STATUSES } from '../status/vocabulary';
import { nameField, parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { serializeTranslations, translationsSchema, type Translations } from '../i18n/translations';

const idField = z.string().regex(/^[0-9a-z]{12}$/, 'errors.field.pickOne');

const setStatusSchema = z.object({
  status: z.enum(COMPONENT_STATUSES, { errorMap: () => ({ message: 'errors.field.pickComponentStatus' }) }),
  note: z.string().trim().max(500, 'errors.field.reasonTooLong').optional(),
  /** The component's version the caller saw; a change since then makes this a CONFLICT. */
  version: versionField,
});

/** Sets a component's status by hand, recorded in the ledger with who and why. */
export function setComponentStatus(db: Db, componentId: string, input: z.input<typeof setStatusSchema>, ctx: WriteContext): void {
  const data = parseInput(setStatusSchema, input, 'statusChange');
  db.transaction((tx) => {
    const component = tx.select({ id: components.id, version: components.version }).from(components).where(eq(components.id, componentId)).get();
    if (!component) throw notFound('component', componentId);
    assertVersion(data.version, { version: component.version, values: { status: componentStatusAt(tx, componentId, ctx.now) } });
    const note = [ctx.actor?.label, data.note].filter(Boolean).join(': ') || null;
    recordStatusChanges(tx, [{ componentId, status: data.status }], ctx.now, 'manual', { note, now: ctx.now });
    recordAudit(tx, ctx, { action: 'component.set_status', entityType: 'component', entityId: componentId, after: { ...data, version: component.version + 1 } });
    bumpChangeCounter(tx);
  });
}

const editSchema = z.object({
  name: nameField.optional(),
  description: z.string().trim().max(1000, 'errors.field.descriptionTooLong').nullish(),
  groupId: idField.nullish(),
  onlyShowIfDegraded: z.boolean().optional(),
  translations: translationsSchema({ name: nameField, description: z.string().trim().max(1000) }),
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
    const set: Partial<typeof components.$inferInsert> = { updatedAt: ctx.now, version: before.version + 1 };
    if (data.name !== undefined) set.name = data.name;
    if (data.description !== undefined) set.description = data.description || null;
    if (data.groupId !== undefined) set.groupId = data.groupId ?? null;
    if (data.onlyShowIfDegraded !== undefined) set.onlyShowIfDegraded = data.onlyShowIfDegraded;
    if (data.translations !== undefined) set.translations = serializeTranslations(data.translations as Translations);
    assertWritten(tx.update(components).set(set).where(and(eq(components.id, componentId), eq(components.version, before.version))).run().changes, stored);
    recordAudit(tx, ctx, { action: 'component.edit', entityType: 'component', entityId: componentId, before, after: { ...data, version: before.version + 1 } });
    bumpChangeCounter(tx);
  });
}

/** Moves a component one place up or down within its group. */
export function moveComponent(db: Db, componentId: string, direction: 'up' | 'down', ctx: WriteContext): void {
  db.transaction((tx) => {
    const me = tx.select().from(components).where(eq(components.id, componentId)).get();
    if (!me) throw notFound('component', componentId);
    const siblings = tx
      .select({ id: components.id, position: components.position })
      .from(components)
      .where(and(me.groupId ? eq(components.groupId, me.groupId) : isNull(components.groupId), isNull(components.archivedAt)))
      .orderBy(components.position, components.createdAt)
      .all();
    const index = siblings.findIndex((s) => s.id === componentId);
    const target = direction === 'up' ? index - 1 : index + 1;
    if (target < 0 || target >= siblings.length) return;
    [siblings[index], siblings[target]] = [siblings[target]!, siblings[index]!];
    siblings.forEach((s, i) => tx.update(components).set({ position: i + 1, updatedAt: ctx.now }).where(eq(components.id, s.id)).run());
    recordAudit(tx, ctx, { action: 'component.move', entityType: 'component', entityId: componentId, before: { position: me.position }, after: { direction } });
    bumpChangeCounter(tx);
  });
}

/**
 * Takes a component off the page. One with history is archived so its past
 * incidents and uptime stay intact; one that never had any is deleted.
 */
export function removeComponent(db: Db, componentId: string, ctx: WriteContext): { archived: boolean } {
  return db.transaction((tx) => {
    const before = tx.select().from(components).where(eq(components.id, componentId)).get();
    if (!before) throw notFound('component', componentId);
    const history =
      tx.select({ n: count() }).from(componentStatusChanges).where(eq(componentStatusChanges.componentId, componentId)).get()!.n +
      tx.select({ n: count() }).from(incidentComponents).where(eq(incidentComponents.componentId, componentId)).get()!.n;
    if (history > 0) tx.update(components).set({ archivedAt: ctx.now, updatedAt: ctx.now, version: before.version + 1 }).where(eq(components.id, componentId)).run();
    else tx.delete(components).where(eq(components.id, componentId)).run();
    recordAudit(tx, ctx, { action: history > 0 ? 'component.archive' : 'component.delete', entityType: 'component', entityId: componentId, before });
    bumpChangeCounter(tx);
    return { archived: history > 0 };
  });
}

import { and, eq, isNull, ne } from 'drizzle-orm';
import { componentGroups, components } from '../../../db/schema';
import type { Tx } from '../incidents/log';
import { ShiraseError, fieldIssue } from '../errors';

/** Two names readers would take for the same: compared without case, width or accent-composition differences. */
function sameName(a: string, b: string): boolean {
  const fold = (s: string) => s.normalize('NFKC').toLocaleLowerCase('und').trim();
  return fold(a) === fold(b);
}

/**
 * Refuses a component name already used in the same group (or among the
 * ungrouped ones), ignoring case: two "API" rows under one heading leave
 * readers guessing which is down. Archived components do not count.
 */
export function assertComponentNameFree(tx: Tx, name: string, groupId: string | null, exceptId?: string): void {
  const siblings = tx
    .select({ name: components.name })
    .from(components)
    .where(
      and(
        groupId ? eq(components.groupId, groupId) : isNull(components.groupId),
        isNull(components.archivedAt),
        exceptId ? ne(components.id, exceptId) : undefined,
      ),
    )
    .all();
  if (siblings.some((s) => sameName(s.name, name))) {
    throw new ShiraseError('CONFLICT', 'errors.component.nameTaken', { params: { name }, fields: [fieldIssue('name', 'errors.field.componentNameTaken')] });
  }
}

/** Refuses a group name another group has, ignoring case. */
export function assertGroupNameFree(tx: Tx, name: string): void {
  const groups = tx.select({ name: componentGroups.name }).from(componentGroups).all();
  if (groups.some((g) => sameName(g.name, name))) {
    throw new ShiraseError('CONFLICT', 'errors.group.nameTaken', { params: { name }, fields: [fieldIssue('name', 'errors.field.groupNameTaken')] });
  }
}

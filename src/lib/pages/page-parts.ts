// A page's slug, host names and components, as the verbs that add and edit
// pages check and write them.
import { and, eq, inArray, ne } from 'drizzle-orm';
import { components, statusPageComponents, statusPageHosts, statusPages } from '../../../db/schema';
import { fieldIssue, type FieldIssue } from '../errors';
import type { Queryable, Tx } from '../incidents/log';

/**
 * What a page's slug, hosts and components would clash with, as the field
 * to fix: a slug or a host another page has, a component that does not
 * exist. `pageId` is the page being changed, whose own slug and hosts are no
 * clash; what is left undefined is not looked at.
 */
export function pageConflicts(
  db: Queryable,
  wanted: { slug?: string; hosts?: readonly string[]; componentIds?: readonly string[] },
  pageId?: string,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const others = pageId === undefined ? undefined : ne(statusPages.id, pageId);
  if (
    wanted.slug !== undefined &&
    db
      .select({ id: statusPages.id })
      .from(statusPages)
      .where(and(eq(statusPages.slug, wanted.slug), others))
      .get()
  )
    issues.push(fieldIssue('slug', 'errors.field.pageSlugTaken', { slug: wanted.slug }));
  if (wanted.hosts !== undefined && wanted.hosts.length > 0) {
    const elsewhere = pageId === undefined ? undefined : ne(statusPageHosts.pageId, pageId);
    const taken = db
      .select({ host: statusPageHosts.host })
      .from(statusPageHosts)
      .where(and(inArray(statusPageHosts.host, [...wanted.hosts]), elsewhere))
      .all();
    for (const { host } of taken) issues.push(fieldIssue('hosts', 'errors.field.pageHostTaken', { host }));
  }
  if (wanted.componentIds !== undefined && wanted.componentIds.length > 0) {
    const known = db
      .select({ id: components.id })
      .from(components)
      .where(inArray(components.id, [...wanted.componentIds]))
      .all();
    if (known.length !== wanted.componentIds.length) issues.push(fieldIssue('componentIds', 'errors.field.pickComponent'));
  }
  return issues;
}

/** Replaces the page's host names and components with those given; a list left undefined stays as it is. */
export function setPageParts(tx: Tx, pageId: string, parts: { hosts?: readonly string[]; componentIds?: readonly string[] }): void {
  if (parts.hosts !== undefined) {
    tx.delete(statusPageHosts).where(eq(statusPageHosts.pageId, pageId)).run();
    if (parts.hosts.length > 0)
      tx.insert(statusPageHosts)
        .values(parts.hosts.map((host) => ({ host, pageId })))
        .run();
  }
  if (parts.componentIds !== undefined) {
    tx.delete(statusPageComponents).where(eq(statusPageComponents.pageId, pageId)).run();
    if (parts.componentIds.length > 0)
      tx.insert(statusPageComponents)
        .values(parts.componentIds.map((componentId) => ({ pageId, componentId })))
        .run();
  }
}

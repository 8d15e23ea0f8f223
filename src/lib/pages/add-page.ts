import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { components, statusPageComponents, statusPageHosts, statusPages } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { fieldIssue, notSaved, type FieldIssue } from '../errors';
import { newPublicId } from '../ids';
import { bumpChangeCounter } from '../site/change-counter';
import { parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { newPageSchema, type NewPage } from './page-input';

/**
 * Adds a status page with its host names and components. A slug or a host
 * another page has, or a component that does not exist, is refused with the
 * field to fix, and nothing is written.
 */
export function addPage(db: Db, input: NewPage, ctx: WriteContext): { pageId: string } {
  const data = parseInput(newPageSchema, input, 'page');
  const hosts = [...new Set(data.hosts)];
  const componentIds = [...new Set(data.componentIds)];
  return db.transaction((tx) => {
    const issues: FieldIssue[] = [];
    if (tx.select({ id: statusPages.id }).from(statusPages).where(eq(statusPages.slug, data.slug)).get())
      issues.push(fieldIssue('slug', 'errors.field.pageSlugTaken', { slug: data.slug }));
    const taken = hosts.length === 0 ? [] : tx.select({ host: statusPageHosts.host }).from(statusPageHosts).where(inArray(statusPageHosts.host, hosts)).all();
    for (const { host } of taken) issues.push(fieldIssue('hosts', 'errors.field.pageHostTaken', { host }));
    const known = componentIds.length === 0 ? [] : tx.select({ id: components.id }).from(components).where(inArray(components.id, componentIds)).all();
    if (known.length !== componentIds.length) issues.push(fieldIssue('componentIds', 'errors.field.pickComponent'));
    if (issues.length > 0) throw notSaved('page', issues);
    const pageId = newPublicId();
    tx.insert(statusPages)
      .values({
        id: pageId,
        slug: data.slug,
        name: data.name,
        defaultLocale: data.defaultLocale ?? null,
        private: data.private,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .run();
    if (hosts.length > 0)
      tx.insert(statusPageHosts)
        .values(hosts.map((host) => ({ host, pageId })))
        .run();
    if (componentIds.length > 0)
      tx.insert(statusPageComponents)
        .values(componentIds.map((componentId) => ({ pageId, componentId })))
        .run();
    recordAudit(tx, ctx, { action: 'page.add', entityType: 'status_page', entityId: pageId, after: { ...data, hosts, componentIds } });
    bumpChangeCounter(tx);
    return { pageId };
  });
}

import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { statusPages } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { assertVersion, assertWritten } from '../edit-version';
import { fieldIssue, notFound, notSaved } from '../errors';
import { bumpChangeCounter } from '../site/change-counter';
import { parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { loadPage, storedPage, type PageView } from './load-pages';
import { pageEditSchema, type PageEdit } from './page-input';
import { pageConflicts, setPageParts } from './page-parts';
import { setViewerRules } from '../viewers/viewer-access';

/**
 * Changes a page: its slug, name, host names, components or default
 * language; only what is given changes. The default page's name is the
 * site's and is not set here. A slug or a host another page has, a
 * component that does not exist, a viewer rule that is neither an address
 * nor a domain, or making the default page private is refused with the
 * field to fix; an edit that started
 * from an older version is refused as a CONFLICT. Nothing is written then.
 */
export function editPage(db: Db, slug: string, input: PageEdit, ctx: WriteContext): PageView {
  const data = parseInput(pageEditSchema, input, 'page');
  const hosts = data.hosts && [...new Set(data.hosts)];
  const componentIds = data.componentIds && [...new Set(data.componentIds)];
  return db.transaction((tx) => {
    const before = loadPage(tx, slug);
    if (!before) throw notFound('page', slug);
    assertVersion(data.version, storedPage(before));
    const issues = pageConflicts(tx, { slug: data.slug, hosts, componentIds }, before.id);
    if (data.name !== undefined && before.isDefault) issues.unshift(fieldIssue('name', 'errors.field.pageDefaultName'));
    if (data.private && before.isDefault) issues.unshift(fieldIssue('private', 'errors.field.pageDefaultPrivate'));
    if (issues.length > 0) throw notSaved('page', issues);
    const set: Partial<typeof statusPages.$inferInsert> = { updatedAt: ctx.now, version: before.version + 1 };
    if (data.slug !== undefined) set.slug = data.slug;
    if (data.name !== undefined) set.name = data.name;
    if (data.private !== undefined) set.private = data.private;
    if (data.defaultLocale !== undefined) set.defaultLocale = data.defaultLocale;
    assertWritten(
      tx
        .update(statusPages)
        .set(set)
        .where(and(eq(statusPages.id, before.id), eq(statusPages.version, before.version)))
        .run().changes,
      () => storedPage(before),
    );
    setPageParts(tx, before.id, { hosts, componentIds });
    if (data.viewers !== undefined) setViewerRules(tx, before.id, data.viewers, ctx.now);
    const after = loadPage(tx, data.slug ?? before.slug)!;
    recordAudit(tx, ctx, { action: 'page.edit', entityType: 'status_page', entityId: before.id, before, after });
    bumpChangeCounter(tx);
    return after;
  });
}

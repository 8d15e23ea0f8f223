import type { Db } from '../../../db/open';
import { statusPages } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { notSaved } from '../errors';
import { newPublicId } from '../ids';
import { bumpChangeCounter } from '../site/change-counter';
import { parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { pageConflicts, setPageParts } from './page-parts';
import { newPageSchema, type NewPage } from './page-input';
import { setViewerRules } from '../viewers/viewer-access';

/**
 * Adds a status page with its host names and components. A slug or a host
 * another page has, a component that does not exist, or a viewer rule that
 * is neither an address nor a domain is refused with the field to fix, and
 * nothing is written. A private page is shown only to the viewers its rules
 * let in.
 */
export function addPage(db: Db, input: NewPage, ctx: WriteContext): { pageId: string } {
  const data = parseInput(newPageSchema, input, 'page');
  const hosts = [...new Set(data.hosts)];
  const componentIds = [...new Set(data.componentIds)];
  return db.transaction((tx) => {
    const issues = pageConflicts(tx, { slug: data.slug, hosts, componentIds });
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
    setPageParts(tx, pageId, { hosts, componentIds });
    setViewerRules(tx, pageId, data.viewers, ctx.now);
    recordAudit(tx, ctx, { action: 'page.add', entityType: 'status_page', entityId: pageId, after: { ...data, hosts, componentIds } });
    bumpChangeCounter(tx);
    return { pageId };
  });
}

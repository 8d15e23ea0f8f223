import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { statusPages } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { assertVersion } from '../edit-version';
import { notFound, ShiraseError } from '../errors';
import { bumpChangeCounter } from '../site/change-counter';
import type { WriteContext } from '../write-context';
import { loadPage, storedPage } from './load-pages';

/**
 * Removes a page: its host names then reach the default page, and its
 * components stay (on the other pages they sit on, with their history). The
 * default page stays: every host no page names reaches it. A `version` the
 * page has moved on from is refused as a CONFLICT, as an edit's is.
 */
export function removePage(db: Db, slug: string, ctx: WriteContext, version?: number): void {
  db.transaction((tx) => {
    const before = loadPage(tx, slug);
    if (!before) throw notFound('page', slug);
    if (before.isDefault) throw new ShiraseError('CONFLICT', 'errors.page.defaultStays');
    assertVersion(version, storedPage(before));
    tx.delete(statusPages).where(eq(statusPages.id, before.id)).run();
    recordAudit(tx, ctx, { action: 'page.remove', entityType: 'status_page', entityId: before.id, before });
    bumpChangeCounter(tx);
  });
}

import { and, eq, sql } from 'drizzle-orm';
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../../db/open';
import { pushSubscriptions, statusPages, subscribers, webhooks } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { assertVersion } from '../edit-version';
import { notFound, ShiraseError } from '../errors';
import type { Tx } from '../incidents/log';
import { bumpChangeCounter } from '../site/change-counter';
import type { WriteContext } from '../write-context';
import { defaultPageId } from './default-page';
import { loadPage, storedPage, type PageView } from './load-pages';

/** What became of a removed page's readers: moved to the default page, or (already subscribed there) left with that subscription. */
export interface MovedReaders {
  subscribers: number;
  alreadyOnDefault: number;
  browsers: number;
  channels: number;
}

/**
 * Removes a page: its host names then reach the default page, and its
 * components stay (on the other pages they sit on, with their history). The
 * default page stays: every host no page names reaches it. A `version` the
 * page has moved on from is refused as a CONFLICT, as an edit's is.
 *
 * Nobody who asked to hear from the page is dropped: its subscribers,
 * browsers and readers' chat channels move to the default page, where its
 * address now leads, and go on hearing about the same components (one that
 * followed the whole page follows the components it had). An address already
 * subscribed on the default page keeps that subscription, and the page's copy
 * goes. The audit entry counts each.
 */
export function removePage(db: Db, slug: string, ctx: WriteContext, version?: number): MovedReaders {
  return db.transaction((tx) => {
    const before = loadPage(tx, slug);
    if (!before) throw notFound('page', slug);
    if (before.isDefault) throw new ShiraseError('CONFLICT', 'errors.page.defaultStays');
    assertVersion(version, storedPage(before));
    const moved = moveReaders(tx, before, defaultPageId(tx));
    tx.delete(statusPages).where(eq(statusPages.id, before.id)).run();
    recordAudit(tx, ctx, { action: 'page.remove', entityType: 'status_page', entityId: before.id, before, after: { readersMovedToDefaultPage: moved } });
    bumpChangeCounter(tx);
    return moved;
  });
}

function moveReaders(tx: Tx, page: PageView, target: string): MovedReaders {
  // "Everything on the page" as the page had it; a page with no components leaves the scope open.
  const whole = page.componentIds.length > 0 ? JSON.stringify(page.componentIds) : null;
  const scope = (column: AnySQLiteColumn) => sql`coalesce(${column}, ${whole})`;
  const alreadyOnDefault = tx
    .delete(subscribers)
    .where(
      and(
        eq(subscribers.pageId, page.id),
        // Spelled out: the subquery's own table must not be the one its email is compared with.
        sql`exists (select 1 from subscribers d where d.page_id = ${target} and d.email = subscribers.email)`,
      ),
    )
    .run().changes;
  const moved = tx
    .update(subscribers)
    .set({ pageId: target, componentIds: scope(subscribers.componentIds) })
    .where(eq(subscribers.pageId, page.id))
    .run().changes;
  const browsers = tx
    .update(pushSubscriptions)
    .set({ pageId: target, componentIds: scope(pushSubscriptions.componentIds) })
    .where(eq(pushSubscriptions.pageId, page.id))
    .run().changes;
  const channels = tx
    .update(webhooks)
    .set({ pageId: target, componentIds: scope(webhooks.componentIds) })
    .where(eq(webhooks.pageId, page.id))
    .run().changes;
  return { subscribers: moved, alreadyOnDefault, browsers, channels };
}

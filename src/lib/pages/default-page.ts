import { eq } from 'drizzle-orm';
import { statusPageComponents, statusPages } from '../../../db/schema';
import type { Queryable, Tx } from '../incidents/log';

/** The page every host no other page names reaches, and everything came from before there were pages (migration 0025 makes it). */
export function defaultPageId(db: Queryable): string {
  const page = db.select({ id: statusPages.id }).from(statusPages).where(eq(statusPages.isDefault, true)).get();
  if (!page) throw new Error('the database has no default status page: run the migrations (npm run db:migrate)');
  return page.id;
}

/** A new component is shown on the default page, as every component was before there were pages. */
export function putOnDefaultPage(tx: Tx, componentId: string): void {
  tx.insert(statusPageComponents)
    .values({ pageId: defaultPageId(tx), componentId })
    .onConflictDoNothing()
    .run();
}

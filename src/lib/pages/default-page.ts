import { eq } from 'drizzle-orm';
import { statusPageComponents, statusPages } from '../../../db/schema';
import type { Tx } from '../incidents/log';

/** A new component is shown on the default page, as every component was before there were pages. */
export function putOnDefaultPage(tx: Tx, componentId: string): void {
  const page = tx.select({ id: statusPages.id }).from(statusPages).where(eq(statusPages.isDefault, true)).get();
  if (page) tx.insert(statusPageComponents).values({ pageId: page.id, componentId }).onConflictDoNothing().run();
}

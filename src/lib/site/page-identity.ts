import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { siteState } from '../../../db/schema';
import { newPublicId } from '../ids';

/**
 * The page's own public id, as Statuspage clients expect on every object.
 * Made once and kept, so clients that store it keep working across restarts.
 */
export function ensurePageId(db: Db): string {
  const existing = db.select({ value: siteState.value }).from(siteState).where(eq(siteState.key, 'page_id')).get();
  if (existing) return existing.value;
  db.insert(siteState).values({ key: 'page_id', value: newPublicId() }).onConflictDoNothing().run();
  return readPageId(db)!;
}

export function readPageId(db: Db): string | undefined {
  return db.select({ value: siteState.value }).from(siteState).where(eq(siteState.key, 'page_id')).get()?.value;
}

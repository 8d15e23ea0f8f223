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

// The id never changes once made, and every API object carries it: read it once per connection.
const known = new WeakMap<object, string>();

export function readPageId(db: Db): string | undefined {
  const remembered = known.get(db.$client);
  if (remembered) return remembered;
  const value = db.select({ value: siteState.value }).from(siteState).where(eq(siteState.key, 'page_id')).get()?.value;
  if (value) known.set(db.$client, value);
  return value;
}

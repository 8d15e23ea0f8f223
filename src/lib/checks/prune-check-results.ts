import { lt } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { checkResults } from '../../../db/schema';

/** How long results are kept: the longest span the chart shows. */
const RESULTS_KEPT_MS = 90 * 86_400_000;

/** Deletes results older than 90 days; returns how many went. */
export function pruneCheckResults(db: Db, now: number): number {
  return db
    .delete(checkResults)
    .where(lt(checkResults.at, now - RESULTS_KEPT_MS))
    .run().changes;
}

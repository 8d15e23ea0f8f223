import { and, count, eq, gte, lt } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { throttleHits } from '../../../db/schema';
import { ShiraseError } from '../errors';

/**
 * Counts a request against each subject and refuses it once any subject has
 * reached `max` within the window. Old hits are swept as new ones arrive.
 */
export function throttle(db: Db, subjects: string[], max: number, windowMs: number, now: number): void {
  db.transaction((tx) => {
    for (const subject of subjects) {
      const n = tx
        .select({ n: count() })
        .from(throttleHits)
        .where(and(eq(throttleHits.subject, subject), gte(throttleHits.at, now - windowMs)))
        .get()!.n;
      if (n >= max) {
        throw new ShiraseError('RATE_LIMITED', 'errors.rateLimited', {
          retryAfterSeconds: Math.ceil(windowMs / 1000),
        });
      }
    }
    for (const subject of subjects) tx.insert(throttleHits).values({ subject, at: now }).run();
    tx.delete(throttleHits)
      .where(lt(throttleHits.at, now - 24 * 3_600_000))
      .run();
  });
}

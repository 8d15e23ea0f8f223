import { and, eq, inArray, lt } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { notificationEvents, subscribers } from '../../../db/schema';
import { CONFIRM_LINK_HOURS } from './subscriptions';

/**
 * Deletes addresses that were never confirmed once their confirmation link
 * has expired, with their confirmation events and any mail still queued for
 * them (the outbox rows go with them). At most `limit` per call, so it can
 * run beside deliveries and form posts without holding the database long.
 */
export function purgeExpiredPending(db: Db, now: number, limit = 100): number {
  return db.transaction((tx) => {
    const ids = tx
      .select({ id: subscribers.id })
      .from(subscribers)
      .where(and(eq(subscribers.status, 'pending'), lt(subscribers.updatedAt, now - CONFIRM_LINK_HOURS * 3_600_000)))
      .limit(limit)
      .all()
      .map((r) => r.id);
    if (ids.length === 0) return 0;
    tx.delete(notificationEvents).where(inArray(notificationEvents.subscriberId, ids)).run();
    tx.delete(subscribers).where(inArray(subscribers.id, ids)).run();
    return ids.length;
  });
}

import { and, asc, desc, eq, isNull, like, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidents, notificationEvents, outbox, pushSubscriptions, subscribers, users, webhooks } from '../../../db/schema';
import { SKIPPED_PREFIX } from './delivery-errors';

export function listSubscribers(db: Db, search: string | undefined, limit = 200) {
  const q = db.select().from(subscribers).$dynamic();
  return (search ? q.where(like(subscribers.email, `%${search.replace(/[%_]/g, '')}%`)) : q).orderBy(asc(subscribers.email)).limit(limit).all();
}

export function listWebhooks(db: Db) {
  return db
    .select({
      id: webhooks.id,
      kind: webhooks.kind,
      url: webhooks.url,
      description: webhooks.description,
      locale: webhooks.locale,
      addedBy: webhooks.addedBy,
      audience: webhooks.audience,
      confirmedAt: webhooks.confirmedAt,
      createdAt: webhooks.createdAt,
      disabledAt: webhooks.disabledAt,
      disabledReason: webhooks.disabledReason,
    })
    .from(webhooks)
    .orderBy(desc(webhooks.createdAt))
    .all();
}

/** Each recent event with how its deliveries stand, and the last error of each failure. */
export function deliveryReport(db: Db, limit = 50, options: { excludeKinds?: readonly string[] } = {}) {
  const events = db
    .select({ id: notificationEvents.id, kind: notificationEvents.kind, createdAt: notificationEvents.createdAt, incidentName: incidents.name })
    .from(notificationEvents)
    .leftJoin(incidents, eq(incidents.id, notificationEvents.incidentId))
    .where(options.excludeKinds?.length ? notInArray(notificationEvents.kind, [...options.excludeKinds]) : undefined)
    .orderBy(desc(notificationEvents.id))
    .limit(limit)
    .all();
  return events.map((e) => {
    const counts = db
      .select({ status: outbox.status, n: sql<number>`count(*)` })
      .from(outbox)
      .where(eq(outbox.eventId, e.id))
      .groupBy(outbox.status)
      .all();
    const by = Object.fromEntries(counts.map((c) => [c.status, c.n])) as Record<string, number>;
    const skipped = db
      .select({ n: sql<number>`count(*)` })
      .from(outbox)
      .where(sql`${outbox.eventId} = ${e.id} and ${outbox.status} = 'failed' and ${outbox.lastError} like ${SKIPPED_PREFIX + '%'}`)
      .get()!.n;
    const failures = db
      .select({
        id: outbox.id,
        channel: outbox.channel,
        email: sql<string | null>`coalesce(${subscribers.email}, ${users.email})`,
        url: webhooks.url,
        endpoint: pushSubscriptions.endpoint,
        lastError: outbox.lastError,
        attempts: outbox.attempts,
        status: outbox.status,
      })
      .from(outbox)
      .leftJoin(subscribers, eq(subscribers.id, outbox.subscriberId))
      .leftJoin(pushSubscriptions, eq(pushSubscriptions.id, outbox.pushSubscriptionId))
      .leftJoin(users, eq(users.id, outbox.userId))
      .leftJoin(webhooks, eq(webhooks.id, outbox.webhookId))
      .where(
        sql`${outbox.eventId} = ${e.id} and ${outbox.lastError} is not null and ${outbox.status} != 'sent' and ${outbox.lastError} not like ${SKIPPED_PREFIX + '%'}`,
      )
      .limit(20)
      .all();
    const total = Object.values(by).reduce((a, b) => a + b, 0);
    return { ...e, total, sent: by.sent ?? 0, pending: (by.pending ?? 0) + (by.sending ?? 0), failed: (by.failed ?? 0) - skipped, skipped, failures };
  });
}

const FAILING_WINDOW_MS = 24 * 3_600_000;

/**
 * Enabled webhooks whose latest attempted delivery failed (for good, or
 * waiting for its retry), with how many of their deliveries failed in the
 * last 24 hours and the last error. Admins only: the URLs can carry secrets.
 */
export function failingWebhooks(db: Db, now: number) {
  const hooks = db.select({ id: webhooks.id, url: webhooks.url, description: webhooks.description }).from(webhooks).where(isNull(webhooks.disabledAt)).all();
  const failing = [];
  for (const hook of hooks) {
    const latest = db
      .select({ status: outbox.status, lastError: outbox.lastError })
      .from(outbox)
      .where(and(eq(outbox.webhookId, hook.id), sql`${outbox.attempts} > 0`, sql`coalesce(${outbox.lastError}, '') not like ${SKIPPED_PREFIX + '%'}`))
      .orderBy(desc(outbox.id))
      .limit(1)
      .get();
    if (!latest || latest.status === 'sent' || latest.lastError === null) continue;
    const failures = db
      .select({ n: sql<number>`count(*)` })
      .from(outbox)
      .where(
        and(
          eq(outbox.webhookId, hook.id),
          sql`${outbox.createdAt} >= ${now - FAILING_WINDOW_MS}`,
          sql`${outbox.lastError} is not null and ${outbox.status} != 'sent' and ${outbox.lastError} not like ${SKIPPED_PREFIX + '%'}`,
        ),
      )
      .get()!.n;
    failing.push({ ...hook, lastError: latest.lastError, failures });
  }
  return failing;
}

import { randomBytes } from 'node:crypto';
import { asc, desc, eq, like, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { incidents, notificationEvents, outbox, subscribers, webhooks } from '../../../db/schema';
import { isIP } from 'node:net';
import { ShiraseError, notFound, fieldIssue } from '../errors';
import { newPublicId } from '../ids';
import { recordAudit } from '../audit/record-audit';
import { parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { SKIPPED_PREFIX } from './delivery-errors';
import { addressAllowed } from './webhook-request';

export function listSubscribers(db: Db, search: string | undefined, limit = 200) {
  const q = db.select().from(subscribers).$dynamic();
  return (search ? q.where(like(subscribers.email, `%${search.replace(/[%_]/g, '')}%`)) : q).orderBy(asc(subscribers.email)).limit(limit).all();
}

export function removeSubscriber(db: Db, id: string, ctx: WriteContext): void {
  db.transaction((tx) => {
    const row = tx.select().from(subscribers).where(eq(subscribers.id, id)).get();
    if (!row) throw notFound('subscriber', id);
    tx.delete(subscribers).where(eq(subscribers.id, id)).run();
    recordAudit(tx, ctx, { action: 'subscriber.remove', entityType: 'subscriber', entityId: id, before: { email: row.email, status: row.status } });
  });
}

const webhookSchema = z.object({
  url: z
    .string()
    .trim()
    .url('errors.field.webhookUrl')
    .refine((u) => URL.canParse(u) && ['http:', 'https:'].includes(new URL(u).protocol), 'errors.field.webhookScheme'),
  description: z.string().trim().max(200).optional(),
});

/** Adds a webhook and returns its signing secret, which is shown once. */
export function addWebhook(db: Db, input: z.input<typeof webhookSchema>, ctx: WriteContext, options: { allowPrivate?: boolean } = {}): { id: string; secret: string } {
  const data = parseInput(webhookSchema, input, 'webhook');
  // A name is checked on every delivery, after DNS; an address written in the URL can be refused now.
  const host = new URL(data.url).hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0 && !addressAllowed(host, options.allowPrivate ?? false)) {
    throw new ShiraseError('VALIDATION', 'errors.webhook.private', { hint: 'errors.webhook.private.hint', fields: [fieldIssue('url', 'errors.webhook.private')] });
  }
  const id = newPublicId();
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  db.transaction((tx) => {
    tx.insert(webhooks).values({ id, url: data.url, description: data.description || null, secret, createdAt: ctx.now }).run();
    recordAudit(tx, ctx, { action: 'webhook.create', entityType: 'webhook', entityId: id, after: { url: data.url } });
  });
  return { id, secret };
}

export function disableWebhook(db: Db, id: string, ctx: WriteContext): void {
  db.transaction((tx) => {
    const row = tx.select().from(webhooks).where(eq(webhooks.id, id)).get();
    if (!row) throw notFound('webhook', id);
    tx.update(webhooks).set({ disabledAt: ctx.now }).where(eq(webhooks.id, id)).run();
    recordAudit(tx, ctx, { action: 'webhook.disable', entityType: 'webhook', entityId: id, before: { url: row.url } });
  });
}

export function listWebhooks(db: Db) {
  return db
    .select({ id: webhooks.id, url: webhooks.url, description: webhooks.description, createdAt: webhooks.createdAt, disabledAt: webhooks.disabledAt })
    .from(webhooks)
    .orderBy(desc(webhooks.createdAt))
    .all();
}

/** Each recent event with how its deliveries stand, and the last error of each failure. */
export function deliveryReport(db: Db, limit = 50) {
  const events = db
    .select({ id: notificationEvents.id, kind: notificationEvents.kind, createdAt: notificationEvents.createdAt, incidentName: incidents.name })
    .from(notificationEvents)
    .leftJoin(incidents, eq(incidents.id, notificationEvents.incidentId))
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
      .select({ id: outbox.id, channel: outbox.channel, email: subscribers.email, url: webhooks.url, lastError: outbox.lastError, attempts: outbox.attempts, status: outbox.status })
      .from(outbox)
      .leftJoin(subscribers, eq(subscribers.id, outbox.subscriberId))
      .leftJoin(webhooks, eq(webhooks.id, outbox.webhookId))
      .where(sql`${outbox.eventId} = ${e.id} and ${outbox.lastError} is not null and ${outbox.status} != 'sent' and ${outbox.lastError} not like ${SKIPPED_PREFIX + '%'}`)
      .limit(20)
      .all();
    const total = Object.values(by).reduce((a, b) => a + b, 0);
    return { ...e, total, sent: by.sent ?? 0, pending: (by.pending ?? 0) + (by.sending ?? 0), failed: (by.failed ?? 0) - skipped, skipped, failures };
  });
}

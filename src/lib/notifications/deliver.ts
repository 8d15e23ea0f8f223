import { randomBytes } from 'node:crypto';
import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { notificationEvents, outbox, pushSubscriptions, subscribers, users, viewerLinks, webhooks } from '../../../db/schema';
import type { Config } from '../config';
import { composeEmail, composePush, composeWebhook, TopicCache } from './compose';
import { vapidKeys } from './browser-push';
import { readSiteSettings, withSiteSettings } from '../site/site-settings';
import type { Courier, Outcome } from './courier';
import { CONFIRM_LINK_HOURS } from './subscriptions';
import { purgeExpiredPending } from './purge-pending';
import type { Log } from '../log';

const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 10;
/** A subscriber whose address refuses this many messages for good is paused. */
export const PAUSE_AFTER_PERMANENT_FAILURES = 3;
const PURGE_EVERY_MS = 60_000;

export interface DeliveryOptions {
  config: Config;
  courier: Courier;
  /** Identifies this worker's leases; a crashed worker's rows are picked up when their lease runs out. */
  owner?: string;
  batchSize?: number;
  retryBaseMs?: number;
  /** How long a claimed row stays this worker's before another may take it over. */
  leaseMs?: number;
  now?: () => number;
  /** Told of each row's result, with how long it waited from queueing when it was sent (for metrics). */
  onSettled?: (channel: string, result: 'sent' | 'retry' | 'failed', latencyMs: number | null) => void;
}

/** Exponential backoff with ±20 % jitter, so retries from many rows do not arrive together. */
function retryDelay(attempt: number, baseMs: number): number {
  const delay = Math.min(baseMs * 2 ** (attempt - 1), 3_600_000);
  return Math.round(delay * (0.8 + Math.random() * 0.4));
}

type Row = typeof outbox.$inferSelect;

/**
 * Claims due rows with a lease in one compare-and-swap UPDATE, so two workers
 * never take the same row, and rows a crashed worker held come back once
 * their lease expires.
 */
function claimDue(db: Db, owner: string, limit: number, now: number, leaseMs = LEASE_MS): Row[] {
  const rows = db.$client
    .prepare(
      `UPDATE outbox SET status = 'sending', lease_owner = ?, lease_until = ?, attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM outbox
         WHERE (status = 'pending' AND next_attempt_at <= ?) OR (status = 'sending' AND lease_until < ?)
         ORDER BY id LIMIT ?)
       RETURNING *`,
    )
    .all(owner, now + leaseMs, now, now, limit) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: r.id as number,
    eventId: r.event_id as number,
    channel: r.channel as Row['channel'],
    subscriberId: r.subscriber_id as string | null,
    webhookId: r.webhook_id as string | null,
    userId: r.user_id as string | null,
    pushSubscriptionId: r.push_subscription_id as string | null,
    viewerLinkId: r.viewer_link_id as string | null,
    status: r.status as Row['status'],
    attempts: r.attempts as number,
    nextAttemptAt: r.next_attempt_at as number,
    leaseOwner: r.lease_owner as string | null,
    leaseUntil: r.lease_until as number | null,
    lastError: r.last_error as string | null,
    response: r.response as string | null,
    messageId: r.message_id as string | null,
    sentAt: r.sent_at as number | null,
    createdAt: r.created_at as number,
  }));
}

function settle(
  db: Db,
  row: Row,
  owner: string,
  outcome: Outcome,
  messageId: string | null,
  options: Required<Pick<DeliveryOptions, 'retryBaseMs'>>,
  now: number,
): 'sent' | 'retry' | 'failed' {
  const mine = and(eq(outbox.id, row.id), eq(outbox.leaseOwner, owner));
  if (outcome.ok) {
    db.update(outbox)
      .set({ status: 'sent', sentAt: now, response: outcome.response, messageId, leaseOwner: null, leaseUntil: null, lastError: null })
      .where(mine)
      .run();
    return 'sent';
  }
  if (outcome.permanent || row.attempts >= MAX_ATTEMPTS) {
    db.transaction((tx) => {
      tx.update(outbox).set({ status: 'failed', lastError: outcome.error, messageId, leaseOwner: null, leaseUntil: null }).where(mine).run();
      // A chat platform saying the hook is gone (deleted, channel archived): it is turned off and staff see why.
      if (row.webhookId && outcome.gone) {
        tx.update(webhooks)
          .set({ disabledAt: now, disabledReason: 'gone' })
          .where(and(eq(webhooks.id, row.webhookId), sql`${webhooks.kind} <> 'webhook'`, isNull(webhooks.disabledAt)))
          .run();
      }
      // A push service saying the subscription is gone (404, 410): the browser unsubscribed or the subscription expired.
      if (row.pushSubscriptionId && outcome.gone) {
        tx.update(pushSubscriptions)
          .set({ disabledAt: now, disabledReason: 'gone' })
          .where(and(eq(pushSubscriptions.id, row.pushSubscriptionId), isNull(pushSubscriptions.disabledAt)))
          .run();
      }
      if (row.subscriberId && outcome.permanent) {
        tx.update(subscribers)
          .set({
            permanentFailures: sql`${subscribers.permanentFailures} + 1`,
            status: sql`case when ${subscribers.permanentFailures} + 1 >= ${PAUSE_AFTER_PERMANENT_FAILURES} and ${subscribers.status} = 'confirmed' then 'paused' else ${subscribers.status} end`,
            updatedAt: now,
          })
          .where(eq(subscribers.id, row.subscriberId))
          .run();
      }
    });
    return 'failed';
  }
  // A receiver that said how long to wait (a 429) is waited for exactly, and nothing else goes to it meanwhile.
  const wait = outcome.retryAfterMs ?? retryDelay(row.attempts, options.retryBaseMs);
  if (row.webhookId && outcome.retryAfterMs !== undefined) {
    db.update(webhooks)
      .set({ pacedUntil: now + outcome.retryAfterMs })
      .where(eq(webhooks.id, row.webhookId))
      .run();
  }
  db.update(outbox)
    .set({ status: 'pending', lastError: outcome.error, nextAttemptAt: now + wait, leaseOwner: null, leaseUntil: null })
    .where(mine)
    .run();
  return 'retry';
}

/**
 * Why a claimed row must not be sent any more, or null when it still should:
 * a subscriber who unsubscribed or was paused, or a webhook disabled, after
 * the row was queued hears nothing more, whatever is still in the outbox.
 */
function skipReason(db: Db, row: Row, now: number): string | null {
  if (row.channel === 'webhook') {
    const hook = db
      .select({ disabledAt: webhooks.disabledAt, confirmedAt: webhooks.confirmedAt, addedBy: webhooks.addedBy })
      .from(webhooks)
      .where(eq(webhooks.id, row.webhookId!))
      .get();
    if (!hook) return 'skipped:removed';
    if (hook.disabledAt !== null) return 'skipped:webhook_disabled';
    const event = db
      .select({ kind: notificationEvents.kind, createdAt: notificationEvents.createdAt })
      .from(notificationEvents)
      .where(eq(notificationEvents.id, row.eventId))
      .get();
    if (event?.kind === 'chat_confirm') {
      if (hook.confirmedAt !== null) return 'skipped:confirmed';
      return event.createdAt + CONFIRM_LINK_HOURS * 3_600_000 < now ? 'skipped:expired' : null;
    }
    return hook.addedBy === 'reader' && hook.confirmedAt === null ? 'skipped:unconfirmed' : null;
  }
  if (row.channel === 'push') {
    const browser = db
      .select({ disabledAt: pushSubscriptions.disabledAt, reason: pushSubscriptions.disabledReason })
      .from(pushSubscriptions)
      .where(eq(pushSubscriptions.id, row.pushSubscriptionId!))
      .get();
    return !browser ? 'skipped:removed' : browser.disabledAt !== null ? `skipped:push_${browser.reason ?? 'reader'}` : null;
  }
  if (row.userId !== null) {
    const user = db.select({ disabledAt: users.disabledAt }).from(users).where(eq(users.id, row.userId)).get();
    return !user ? 'skipped:removed' : user.disabledAt !== null ? 'skipped:account_disabled' : null;
  }
  if (row.viewerLinkId !== null) {
    // A sign-in link is worth sending only while it can still be used.
    const link = db
      .select({ usedAt: viewerLinks.usedAt, expiresAt: viewerLinks.expiresAt })
      .from(viewerLinks)
      .where(eq(viewerLinks.id, row.viewerLinkId))
      .get();
    return !link ? 'skipped:removed' : link.usedAt !== null ? 'skipped:used' : link.expiresAt < now ? 'skipped:expired' : null;
  }
  const subscriber = db.select({ status: subscribers.status }).from(subscribers).where(eq(subscribers.id, row.subscriberId!)).get();
  const event = db
    .select({ kind: notificationEvents.kind, createdAt: notificationEvents.createdAt })
    .from(notificationEvents)
    .where(eq(notificationEvents.id, row.eventId))
    .get();
  if (!subscriber || !event) return 'skipped:removed';
  if (event.kind === 'confirm') {
    if (subscriber.status !== 'pending') return `skipped:${subscriber.status}`;
    // The link inside would already have expired.
    return event.createdAt + CONFIRM_LINK_HOURS * 3_600_000 < now ? 'skipped:expired' : null;
  }
  return subscriber.status === 'confirmed' ? null : `skipped:${subscriber.status}`;
}

/** The least time between two messages to one hook of a platform: Slack takes one message a second per hook. */
const PACE_MS: Partial<Record<string, number>> = { slack: 1_000 };

/**
 * Takes the hook's next sending slot, or says when it is free. One UPDATE
 * that succeeds only if the hook is not paced now, so two workers never send
 * to one Slack hook in the same second, and a 429's wait holds for all rows.
 */
function takeSlot(db: Db, webhookId: string, now: number): number | null {
  const hook = db.select({ kind: webhooks.kind, pacedUntil: webhooks.pacedUntil }).from(webhooks).where(eq(webhooks.id, webhookId)).get();
  if (!hook) return null;
  const pace = PACE_MS[hook.kind] ?? 0;
  if (pace === 0) return hook.pacedUntil !== null && hook.pacedUntil > now ? hook.pacedUntil : null;
  const taken = db
    .update(webhooks)
    .set({ pacedUntil: now + pace })
    .where(and(eq(webhooks.id, webhookId), or(isNull(webhooks.pacedUntil), lte(webhooks.pacedUntil, now))))
    .run();
  return taken.changes === 1 ? null : (hook.pacedUntil ?? now + pace);
}

/** Once a paced hook's message has gone, the next waits a full pace from then: the gap holds however long sending took. */
function paceFromNow(db: Db, webhookId: string, now: number): void {
  const hook = db.select({ kind: webhooks.kind }).from(webhooks).where(eq(webhooks.id, webhookId)).get();
  const pace = hook ? (PACE_MS[hook.kind] ?? 0) : 0;
  if (pace === 0) return;
  db.update(webhooks)
    .set({ pacedUntil: sql`max(coalesce(${webhooks.pacedUntil}, 0), ${now + pace})` })
    .where(eq(webhooks.id, webhookId))
    .run();
}

/** Puts a claimed row back until `at` without counting an attempt: waiting for a slot is not a failure. */
function releaseUntil(db: Db, row: Row, owner: string, at: number): void {
  db.update(outbox)
    .set({ status: 'pending', attempts: sql`${outbox.attempts} - 1`, nextAttemptAt: at, leaseOwner: null, leaseUntil: null })
    .where(and(eq(outbox.id, row.id), eq(outbox.leaseOwner, owner)))
    .run();
}

function markSkipped(db: Db, row: Row, owner: string, reason: string): void {
  db.update(outbox)
    .set({ status: 'failed', lastError: reason, leaseOwner: null, leaseUntil: null })
    .where(and(eq(outbox.id, row.id), eq(outbox.leaseOwner, owner)))
    .run();
}

/** Delivers one batch of due rows; returns what happened to them. */
export async function deliverBatch(
  db: Db,
  options: DeliveryOptions,
): Promise<{ claimed: number; sent: number; retried: number; failed: number; skipped: number }> {
  const now = options.now ?? (() => Date.now());
  const owner = options.owner ?? randomBytes(8).toString('hex');
  const rows = claimDue(db, owner, options.batchSize ?? 100, now(), options.leaseMs);
  const tally = { claimed: rows.length, sent: 0, retried: 0, failed: 0, skipped: 0 };
  // The site name, time zone and default language as staff set them under Admin → Settings.
  const config = rows.length > 0 ? withSiteSettings(options.config, readSiteSettings(db)) : options.config;
  const topics = new TopicCache();
  await Promise.all(
    rows.map(async (row) => {
      // Checked on the claimed row, just before sending: a change made after queueing still counts.
      const skip = skipReason(db, row, now());
      if (skip) {
        markSkipped(db, row, owner, skip);
        tally.skipped++;
        return;
      }
      let outcome: Outcome;
      let messageId: string | null = null;
      try {
        if (row.channel === 'email') {
          const message = composeEmail(db, config, row, topics);
          messageId = message.messageId;
          outcome = await options.courier.sendEmail(message);
        } else if (row.channel === 'push') {
          outcome = await options.courier.postWebhook(composePush(db, config, row, vapidKeys(db), now(), topics));
        } else {
          const busyUntil = takeSlot(db, row.webhookId!, now());
          if (busyUntil !== null) {
            releaseUntil(db, row, owner, busyUntil);
            tally.retried++;
            return;
          }
          outcome = await options.courier.postWebhook(composeWebhook(db, config, row, now(), topics));
          paceFromNow(db, row.webhookId!, now());
        }
      } catch (error) {
        outcome = { ok: false, permanent: false, error: error instanceof Error ? error.message : String(error) };
      }
      const result = settle(db, row, owner, outcome, messageId, { retryBaseMs: options.retryBaseMs ?? 30_000 }, now());
      if (result === 'sent') tally.sent++;
      else if (result === 'retry') tally.retried++;
      else tally.failed++;
      options.onSettled?.(row.channel, result, result === 'sent' ? now() - row.createdAt : null);
    }),
  );
  return tally;
}

/**
 * Runs batches until nothing is due, then checks again every `idleMs`. Stops
 * when the returned function is called. Errors are logged, never thrown: a
 * broken mail server must not take the status page with it.
 */
export function startDeliveryLoop(db: Db, options: DeliveryOptions & { idleMs?: number; log?: Log; onTurn?: (at: number) => void }): () => Promise<void> {
  let stopped = false;
  let wake: (() => void) | undefined;
  const owner = options.owner ?? `worker-${process.pid}-${randomBytes(4).toString('hex')}`;
  const now = options.now ?? (() => Date.now());
  let purgedAt = -Infinity;
  const done = (async () => {
    while (!stopped) {
      options.onTurn?.(now());
      try {
        const { claimed, sent, retried, failed } = await deliverBatch(db, { ...options, owner });
        // One line per batch that did not all go out, with the counts; the rows hold each error.
        if (retried + failed > 0)
          options.log?.(`[shirase] delivery batch: ${sent} sent, ${retried} to retry, ${failed} failed`, 'warn', { sent, retried, failed });
        if (claimed > 0) continue;
        // Between batches, at most once a minute: unconfirmed addresses whose link has expired go, a bounded number at a time.
        if (now() - purgedAt >= PURGE_EVERY_MS) {
          purgedAt = now();
          if (purgeExpiredPending(db, purgedAt) > 0) purgedAt = -Infinity;
        }
      } catch (error) {
        options.log?.(`[shirase] delivery: ${error instanceof Error ? error.message : String(error)}`, 'warn');
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, options.idleMs ?? 1_000).unref();
      });
    }
  })();
  return async () => {
    stopped = true;
    wake?.();
    await done;
  };
}

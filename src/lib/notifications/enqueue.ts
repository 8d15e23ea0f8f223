import { and, eq, isNotNull, isNull, or } from 'drizzle-orm';
import type { Tx } from '../incidents/log';
import { incidentComponents, notificationEvents, outbox, pushSubscriptions, subscribers, webhooks } from '../../../db/schema';
import { pagesShowingIncident } from '../pages/page-scope';

export type EventKind =
  | 'confirm'
  /** A fresh link to manage a subscription, asked for by subscribing again with a confirmed address. */
  | 'manage_link'
  | 'incident_opened'
  | 'incident_updated'
  | 'incident_resolved'
  | 'maintenance_scheduled'
  /** A window that has not started moved to new times. */
  | 'maintenance_rescheduled'
  | 'maintenance_reminder'
  | 'maintenance_started'
  | 'maintenance_completed'
  | 'postmortem_published'
  /** Every public follow-up of a postmortem is done or dropped: told once, when staff ask on the last change. */
  | 'followups_completed'
  /** The first message to a chat channel a reader added: a link to confirm it, and nothing else until then. */
  | 'chat_confirm'
  /** A private page's sign-in link, to the address that asked for it (`ref`: the link). */
  | 'viewer_link';

/**
 * True when a recipient on `page` (null: every page) scoped to `scope` (null:
 * everything on it) should hear about something on `pages` touching `touched`
 * (no pages: something about no incident, which every page hears).
 */
function inScope(page: string | null, scope: string | null, pages: ReadonlySet<string> | null, touched: readonly string[]): boolean {
  if (pages !== null && page !== null && !pages.has(page)) return false;
  if (scope === null || touched.length === 0) return true;
  const wanted = JSON.parse(scope) as string[];
  return touched.some((id) => wanted.includes(id));
}

/**
 * Records an event and one outbox row per recipient, inside the caller's
 * transaction: the change and its notifications commit together or not at
 * all. The unique keys make a second row for the same pair impossible.
 */
export function enqueueEvent(
  tx: Tx,
  event: { kind: EventKind; incidentId?: string; updateId?: string; subscriberId?: string; ref?: string; onceKey?: string },
  now: number,
): number | null {
  const inserted = tx
    .insert(notificationEvents)
    .values({
      kind: event.kind,
      incidentId: event.incidentId ?? null,
      updateId: event.updateId ?? null,
      subscriberId: event.subscriberId ?? null,
      ref: event.ref ?? null,
      onceKey: event.onceKey ?? null,
      createdAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: notificationEvents.id })
    .get();
  if (!inserted) return null;
  const eventId = inserted.id;
  const row = { eventId, status: 'pending' as const, attempts: 0, nextAttemptAt: now, createdAt: now };

  if (event.kind === 'confirm' || event.kind === 'manage_link') {
    tx.insert(outbox)
      .values({ ...row, channel: 'email', subscriberId: event.subscriberId! })
      .run();
    return eventId;
  }
  if (event.kind === 'viewer_link') {
    tx.insert(outbox)
      .values({ ...row, channel: 'email', viewerLinkId: event.ref! })
      .run();
    return eventId;
  }
  if (event.kind === 'chat_confirm') {
    tx.insert(outbox)
      .values({ ...row, channel: 'webhook', webhookId: event.ref! })
      .run();
    return eventId;
  }
  const touched = event.incidentId
    ? tx
        .select({ id: incidentComponents.componentId })
        .from(incidentComponents)
        .where(eq(incidentComponents.incidentId, event.incidentId))
        .all()
        .map((r) => r.id)
    : [];
  // A reader hears about what the page they subscribed on shows, and about nothing another page shows.
  const pages = event.incidentId ? pagesShowingIncident(tx, event.incidentId, touched) : null;
  for (const s of tx
    .select({ id: subscribers.id, page: subscribers.pageId, scope: subscribers.componentIds })
    .from(subscribers)
    .where(eq(subscribers.status, 'confirmed'))
    .all()) {
    if (inScope(s.page, s.scope, pages, touched))
      tx.insert(outbox)
        .values({ ...row, channel: 'email', subscriberId: s.id })
        .onConflictDoNothing()
        .run();
  }
  // A chat channel a reader added hears nothing but its confirmation until someone there confirms it.
  for (const w of tx
    .select({ id: webhooks.id, page: webhooks.pageId, scope: webhooks.componentIds })
    .from(webhooks)
    .where(and(isNull(webhooks.disabledAt), eq(webhooks.audience, 'subscribers'), or(eq(webhooks.addedBy, 'staff'), isNotNull(webhooks.confirmedAt))))
    .all()) {
    if (inScope(w.page, w.scope, pages, touched))
      tx.insert(outbox)
        .values({ ...row, channel: 'webhook', webhookId: w.id })
        .onConflictDoNothing()
        .run();
  }
  for (const b of tx
    .select({ id: pushSubscriptions.id, page: pushSubscriptions.pageId, scope: pushSubscriptions.componentIds })
    .from(pushSubscriptions)
    .where(isNull(pushSubscriptions.disabledAt))
    .all()) {
    if (inScope(b.page, b.scope, pages, touched))
      tx.insert(outbox)
        .values({ ...row, channel: 'push', pushSubscriptionId: b.id })
        .onConflictDoNothing()
        .run();
  }
  return eventId;
}

/** The event an update announces, by the kind of incident and the update's status. */
export function eventKindForUpdate(incidentKind: 'incident' | 'maintenance', status: string, isFirst: boolean): EventKind {
  if (incidentKind === 'maintenance') {
    if (status === 'in_progress') return 'maintenance_started';
    if (status === 'completed') return 'maintenance_completed';
    return isFirst ? 'maintenance_scheduled' : 'incident_updated';
  }
  if (status === 'resolved') return 'incident_resolved';
  return isFirst ? 'incident_opened' : 'incident_updated';
}

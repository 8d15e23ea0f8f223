import { and, eq, isNull } from 'drizzle-orm';
import type { Tx } from '../incidents/log';
import { notificationEvents, outbox, webhooks } from '../../../db/schema';

/** Events only staff hear about; they never reach subscribers or webhooks. */
export type StaffEventKind = 'cadence_reminder' | 'alert_suggestion' | 'code_guessing' | 'followup_overdue';

export const STAFF_EVENT_KINDS: readonly StaffEventKind[] = ['cadence_reminder', 'alert_suggestion', 'code_guessing', 'followup_overdue'];

export function isStaffEvent(kind: string): kind is StaffEventKind {
  return (STAFF_EVENT_KINDS as readonly string[]).includes(kind);
}

/**
 * Tells staff users something, inside the caller's transaction: one event and
 * one outbox row per user and channel. This is the one place staff channels
 * are chosen: email to each user's address, and a message to each staff chat
 * channel (added under Admin → Subscribers for staff). The event's once-key makes a second event
 * for the same occasion impossible, so a caller that lost a race writes nothing.
 * A notice about one person's account (`chat: false`) goes to their mail only.
 */
export function enqueueStaffNotice(
  tx: Tx,
  event: { kind: StaffEventKind; incidentId?: string; ref?: string; onceKey: string },
  userIds: readonly string[],
  now: number,
  options: { chat?: boolean } = {},
): number | null {
  const inserted = tx
    .insert(notificationEvents)
    .values({ kind: event.kind, incidentId: event.incidentId ?? null, ref: event.ref ?? null, onceKey: event.onceKey, createdAt: now })
    .onConflictDoNothing()
    .returning({ id: notificationEvents.id })
    .get();
  if (!inserted) return null;
  for (const userId of new Set(userIds)) {
    tx.insert(outbox)
      .values({ eventId: inserted.id, channel: 'email', userId, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now })
      .onConflictDoNothing()
      .run();
  }
  if (options.chat === false) return inserted.id;
  for (const hook of tx
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(and(eq(webhooks.audience, 'staff'), isNull(webhooks.disabledAt)))
    .all()) {
    tx.insert(outbox)
      .values({ eventId: inserted.id, channel: 'webhook', webhookId: hook.id, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now })
      .onConflictDoNothing()
      .run();
  }
  return inserted.id;
}

import type { Tx } from '../incidents/log';
import { notificationEvents, outbox } from '../../../db/schema';

/** Events only staff hear about; they never reach subscribers or webhooks. */
export type StaffEventKind = 'cadence_reminder' | 'alert_suggestion';

export const STAFF_EVENT_KINDS: readonly StaffEventKind[] = ['cadence_reminder', 'alert_suggestion'];

/**
 * Tells staff users something, inside the caller's transaction: one event and
 * one outbox row per user and channel. This is the one place staff channels
 * are chosen: today email to each user's address; chat channels, once they
 * exist, get their rows here too. The event's once-key makes a second event
 * for the same occasion impossible, so a caller that lost a race writes nothing.
 */
export function enqueueStaffNotice(
  tx: Tx,
  event: { kind: StaffEventKind; incidentId?: string; ref?: string; onceKey: string },
  userIds: readonly string[],
  now: number,
): number | null {
  const inserted = tx
    .insert(notificationEvents)
    .values({ kind: event.kind, incidentId: event.incidentId ?? null, ref: event.ref ?? null, onceKey: event.onceKey, createdAt: now })
    .onConflictDoNothing()
    .returning({ id: notificationEvents.id })
    .get();
  if (!inserted) return null;
  for (const userId of new Set(userIds)) {
    tx.insert(outbox).values({ eventId: inserted.id, channel: 'email', userId, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now }).onConflictDoNothing().run();
  }
  return inserted.id;
}

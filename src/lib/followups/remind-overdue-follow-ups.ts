import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { followUps, users } from '../../../db/schema';
import type { Tx } from '../incidents/log';
import { enqueueStaffNotice } from '../notifications/enqueue-staff';
import { isOverdue } from './follow-up-dates';

/** Open follow-ups past their due day that have had no reminder for that day. */
function unreminded(db: Db | Tx, now: number, timeZone: string, onlyId?: string) {
  return db
    .select({ id: followUps.id, dueOn: followUps.dueOn, status: followUps.status, ownerId: followUps.ownerId, remindedFor: followUps.remindedFor })
    .from(followUps)
    .where(and(inArray(followUps.status, ['planned', 'in_progress']), onlyId === undefined ? undefined : eq(followUps.id, onlyId)))
    .all()
    .filter((f) => f.remindedFor !== f.dueOn && isOverdue(f, now, timeZone));
}

/** Who is reminded: the owner while they can sign in, else every admin. */
function recipients(tx: Tx, ownerId: string | null): string[] {
  const owner = ownerId
    ? tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.id, ownerId), isNull(users.disabledAt)))
        .get()
    : undefined;
  if (owner) return [owner.id];
  return tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabledAt)))
    .all()
    .map((u) => u.id);
}

/**
 * Mails the owner of each follow-up whose due day has passed while it is
 * still open: once per follow-up and due day (moving the day and missing it
 * again reminds again). As with the cadence reminders, the mail is queued in
 * the transaction that records it was sent, which looks again under the
 * write lock, so two ticks or two processes cannot send it twice. Returns how
 * many reminders were queued.
 */
export function remindOverdueFollowUps(db: Db, now: number, timeZone: string): number {
  let queued = 0;
  for (const candidate of unreminded(db, now, timeZone)) {
    db.transaction((tx) => {
      const still = unreminded(tx, now, timeZone, candidate.id)[0];
      if (!still) return;
      tx.update(followUps).set({ remindedFor: still.dueOn }).where(eq(followUps.id, still.id)).run();
      const eventId = enqueueStaffNotice(
        tx,
        { kind: 'followup_overdue', ref: still.id, onceKey: `followup-overdue:${still.id}:${still.dueOn}` },
        recipients(tx, still.ownerId),
        now,
      );
      if (eventId !== null) queued++;
    });
  }
  return queued;
}

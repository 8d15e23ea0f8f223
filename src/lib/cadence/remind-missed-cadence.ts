import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import type { Tx } from '../incidents/log';
import { enqueueStaffNotice } from '../notifications/enqueue-staff';
import { UNRESOLVED_INCIDENT_STATUSES } from '../status/vocabulary';
import { staffOnIncident } from './staff-on-incident';

interface Missed {
  id: string;
  lastAt: number;
}

/** Open incidents whose latest public update is older than their cadence and has had no reminder yet. */
function missedCadences(db: Db | Tx, now: number, onlyId?: string): Missed[] {
  const statuses = sql.join(
    UNRESOLVED_INCIDENT_STATUSES.map((s) => sql`${s}`),
    sql`, `,
  );
  return db.all<Missed>(sql`
    select i.id as id, max(u.display_at) as lastAt
    from incidents i join incident_updates u on u.incident_id = i.id
    where i.kind = 'incident' and i.status in (${statuses}) ${onlyId === undefined ? sql`` : sql`and i.id = ${onlyId}`}
    group by i.id
    having max(u.display_at) + i.update_cadence_minutes * 60000 <= ${now}
      and (i.cadence_reminded_for is null or i.cadence_reminded_for <> max(u.display_at))`);
}

/**
 * Reminds the staff on each open incident whose customers have heard nothing
 * for longer than its cadence: once per latest update. The reminder is written
 * to the outbox in the same transaction that records it was sent (the update
 * it was for), and that transaction looks again under the write lock, so two
 * ticks, two processes or a restart cannot send it twice. Returns how many
 * reminders were queued.
 */
export function remindMissedCadences(db: Db, now: number): number {
  let queued = 0;
  for (const candidate of missedCadences(db, now)) {
    db.transaction((tx) => {
      const still = missedCadences(tx, now, candidate.id)[0];
      if (!still) return;
      tx.run(sql`update incidents set cadence_reminded_for = ${still.lastAt} where id = ${still.id}`);
      const staff = staffOnIncident(tx, still.id).map((u) => u.id);
      const eventId = enqueueStaffNotice(
        tx,
        { kind: 'cadence_reminder', incidentId: still.id, ref: String(still.lastAt), onceKey: `cadence:${still.id}:${still.lastAt}` },
        staff,
        now,
      );
      if (eventId !== null) queued++;
    });
  }
  return queued;
}

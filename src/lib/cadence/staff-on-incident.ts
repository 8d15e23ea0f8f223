import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../incidents/log';
import { users } from '../../../db/schema';

/**
 * The staff on an incident: the enabled accounts the audit log names as having
 * opened it, posted to it, edited it or corrected one of its updates. The audit
 * row is written in the same transaction as each of those changes, so it is as
 * reliable as the change itself. With nobody left (an incident opened through
 * the API or by the system), every enabled admin.
 */
export function staffOnIncident(db: Queryable, incidentId: string): { id: string; email: string }[] {
  const actors = db.all<{ id: string }>(sql`
    select distinct a.actor_id as id from audit_log a
    where a.actor_kind = 'user' and a.actor_id is not null and (
      (a.entity_type = 'incident' and a.entity_id = ${incidentId})
      or (a.entity_type = 'incident_update' and a.entity_id in (select id from incident_updates where incident_id = ${incidentId}))
    )`);
  const ids = actors.map((a) => a.id);
  const named =
    ids.length === 0
      ? []
      : db
          .select({ id: users.id, email: users.email })
          .from(users)
          .where(and(inArray(users.id, ids), isNull(users.disabledAt)))
          .orderBy(users.email)
          .all();
  if (named.length > 0) return named;
  return db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabledAt)))
    .orderBy(users.email)
    .all();
}

import { and, asc, eq, isNull } from 'drizzle-orm';
import { users } from '../../../db/schema';
import type { Queryable } from '../incidents/log';

/**
 * Who hears first when an alert or a check suggests an incident: the enabled
 * staff marked on call, or, with nobody on call, every enabled admin, so a
 * suggestion never waits unseen.
 */
export function staffOnCall(db: Queryable): { id: string; email: string }[] {
  const onCall = db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(and(eq(users.onCall, true), isNull(users.disabledAt)))
    .orderBy(asc(users.email))
    .all();
  if (onCall.length > 0) return onCall;
  return db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabledAt)))
    .orderBy(asc(users.email))
    .all();
}

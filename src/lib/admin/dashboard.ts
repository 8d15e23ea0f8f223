import { inArray } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { loadIncidents } from '../views/incidents';
import { isClosedStatus, unresolved } from '../status/vocabulary';

/** What staff see first: everything still open, then the most recent closed ones. */
export function buildDashboard(db: Db) {
  const open = loadIncidents(db, inArray(incidents.status, unresolved()));
  const recent = loadIncidents(db, undefined, { limit: 30 }).filter((i) => isClosedStatus(i.status));
  return { open, recent };
}

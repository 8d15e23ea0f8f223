import { asc } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { updateTemplates } from '../../../db/schema';

export function listTemplates(db: Db) {
  return db.select().from(updateTemplates).orderBy(asc(updateTemplates.name)).all();
}

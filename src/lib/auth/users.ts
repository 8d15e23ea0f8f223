import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { notFound } from '../errors';

import { ROLES } from '../../../db/vocabulary';

export { ROLES };

export type Role = (typeof ROLES)[number];

export const emailField = z
  .string({ required_error: 'errors.field.emailRequired' })
  .trim()
  .toLowerCase()
  .max(254, 'errors.field.emailTooLong')
  .email('errors.field.emailFormat');

export function listUsers(db: Db) {
  return db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      createdAt: users.createdAt,
      disabledAt: users.disabledAt,
      totpEnabledAt: users.totpEnabledAt,
      onCall: users.onCall,
    })
    .from(users)
    .orderBy(asc(users.email))
    .all();
}

/** The account for an address, for the command line; NOT_FOUND names the address. */
export function findUserByEmail(db: Db, email: string) {
  const row = db.select({ id: users.id, email: users.email }).from(users).where(eq(users.email, email.trim().toLowerCase())).get();
  if (!row) throw notFound('account', email.trim().toLowerCase());
  return row;
}

import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { ShiraseError, fieldIssue } from '../errors';
import { newPublicId } from '../ids';
import { recordAudit } from '../audit/record-audit';
import { parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { generatePassword, hashPassword, newPasswordField } from './password';
import { ROLES, emailField } from './users';

export const newUserSchema = z.object({
  email: emailField,
  name: z.string().trim().max(100).optional(),
  role: z.enum(ROLES, { errorMap: () => ({ message: 'errors.field.pickRole' }) }),
  password: newPasswordField.optional(),
});

type NewUserInput = z.input<typeof newUserSchema>;

/** A checked new account with its password hashed, ready for `insertUser`. */
export interface PreparedUser {
  data: z.output<typeof newUserSchema>;
  password: string;
  passwordHash: string;
}

/**
 * Checks the fields and hashes the password (on the worker pool), outside any
 * transaction: a caller that must add the account inside its own
 * transaction, such as the first start, prepares first.
 */
export async function prepareUser(input: NewUserInput): Promise<PreparedUser> {
  const data = parseInput(newUserSchema, input, 'account');
  const password = data.password ?? generatePassword();
  return { data, password, passwordHash: await hashPassword(password) };
}

/** Adds a prepared account, in its own transaction or as a savepoint of the caller's. */
export function insertUser(
  db: Db,
  { data, password, passwordHash }: PreparedUser,
  ctx: WriteContext,
): { userId: string; email: string; password: string; generated: boolean } {
  return db.transaction((tx) => {
    const existing = tx.select({ id: users.id }).from(users).where(eq(users.email, data.email)).get();
    if (existing) {
      throw new ShiraseError('CONFLICT', 'errors.user.exists', { params: { email: data.email }, fields: [fieldIssue('email', 'errors.field.emailTaken')] });
    }
    const userId = newPublicId();
    tx.insert(users)
      .values({ id: userId, email: data.email, name: data.name || null, passwordHash, role: data.role, createdAt: ctx.now, updatedAt: ctx.now })
      .run();
    recordAudit(tx, ctx, { action: 'user.create', entityType: 'user', entityId: userId, after: { email: data.email, role: data.role } });
    return { userId, email: data.email, password, generated: data.password === undefined };
  });
}

/** Adds a staff account. Without a password one is generated and returned, to be shown once. */
export async function createUser(
  db: Db,
  input: NewUserInput,
  ctx: WriteContext,
): Promise<{ userId: string; email: string; password: string; generated: boolean }> {
  return insertUser(db, await prepareUser(input), ctx);
}

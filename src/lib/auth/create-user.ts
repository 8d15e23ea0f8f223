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

const createSchema = z.object({
  email: emailField,
  name: z.string().trim().max(100).optional(),
  role: z.enum(ROLES, { errorMap: () => ({ message: 'errors.field.pickRole' }) }),
  password: newPasswordField.optional(),
});

/** Adds a staff account. Without a password one is generated and returned, to be shown once. */
export function createUser(db: Db, input: z.input<typeof createSchema>, ctx: WriteContext): { userId: string; email: string; password: string; generated: boolean } {
  const data = parseInput(createSchema, input, 'account');
  const password = data.password ?? generatePassword();
  const passwordHash = hashPassword(password);
  return db.transaction((tx) => {
    const existing = tx.select({ id: users.id }).from(users).where(eq(users.email, data.email)).get();
    if (existing) {
      throw new ShiraseError('CONFLICT', 'errors.user.exists', { params: { email: data.email }, fields: [fieldIssue('email', 'errors.field.emailTaken')] });
    }
    const userId = newPublicId();
    tx.insert(users).values({ id: userId, email: data.email, name: data.name || null, passwordHash, role: data.role, createdAt: ctx.now, updatedAt: ctx.now }).run();
    recordAudit(tx, ctx, { action: 'user.create', entityType: 'user', entityId: userId, after: { email: data.email, role: data.role } });
    return { userId, email: data.email, password, generated: data.password === undefined };
  });
}

import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { ShiraseError, notFound, fieldIssue } from '../errors';
import { newPublicId } from '../ids';
import { recordAudit } from '../audit/record-audit';
import { parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { generatePassword, hashPassword, newPasswordField } from './password';
import { endUserSessions } from './sessions';

export const ROLES = ['admin', 'editor'] as const;
export type Role = (typeof ROLES)[number];

export const emailField = z
  .string({ required_error: 'errors.field.emailRequired' })
  .trim()
  .toLowerCase()
  .max(254, 'errors.field.emailTooLong')
  .email('errors.field.emailFormat');

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

export function setUserRole(db: Db, userId: string, role: Role, ctx: WriteContext): void {
  db.transaction((tx) => {
    const before = tx.select().from(users).where(eq(users.id, userId)).get();
    if (!before) throw notFound('user', userId);
    tx.update(users).set({ role, updatedAt: ctx.now }).where(eq(users.id, userId)).run();
    recordAudit(tx, ctx, { action: 'user.set_role', entityType: 'user', entityId: userId, before: { role: before.role }, after: { role } });
  });
}

/** Disables an account and ends its sessions at once. */
export function disableUser(db: Db, userId: string, ctx: WriteContext): void {
  db.transaction((tx) => {
    const before = tx.select().from(users).where(eq(users.id, userId)).get();
    if (!before) throw notFound('user', userId);
    if (ctx.actor?.id === userId) throw new ShiraseError('CONFLICT', 'errors.user.disableSelf', { hint: 'errors.user.disableSelf.hint' });
    tx.update(users).set({ disabledAt: ctx.now, updatedAt: ctx.now }).where(eq(users.id, userId)).run();
    endUserSessions(tx, userId);
    recordAudit(tx, ctx, { action: 'user.disable', entityType: 'user', entityId: userId, before: { email: before.email } });
  });
}

export function listUsers(db: Db) {
  return db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, createdAt: users.createdAt, disabledAt: users.disabledAt, totpEnabledAt: users.totpEnabledAt })
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

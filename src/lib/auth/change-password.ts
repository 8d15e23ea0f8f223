import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { ShiraseError, notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import type { WriteContext } from '../write-context';
import { hashPassword, newPasswordField, verifyPassword } from './password';
import { endUserSessions } from './sessions';
import { claimSignInAttempt, forgiveSignInAttempt } from './sign-in-throttle';

const schema = z.object({ newPassword: newPasswordField });

/**
 * A person changes their own password, giving the current one (a wrong one
 * counts as a failed sign-in). Their other sessions end; the one that made
 * the change stays.
 */
export function changePassword(
  db: Db,
  input: { userId: string; currentPassword: string; newPassword: string; address: string; keepSessionToken?: string },
  ctx: WriteContext,
): { sessionsEnded: number } {
  const user = db.select().from(users).where(eq(users.id, input.userId)).get();
  if (!user) throw notFound(`User ${input.userId}`);
  const attempt = claimSignInAttempt(db, user.email, input.address, ctx.now);
  const issues: { field: string; message: string }[] = [];
  const currentOk = verifyPassword(input.currentPassword, user.passwordHash);
  if (currentOk) forgiveSignInAttempt(db, attempt);
  else issues.push({ field: 'currentPassword', message: 'That is not your current password.' });
  const parsed = schema.safeParse({ newPassword: input.newPassword });
  if (!parsed.success) issues.push({ field: 'newPassword', message: parsed.error.issues[0]!.message });
  else if (currentOk && input.newPassword === input.currentPassword) issues.push({ field: 'newPassword', message: 'Choose a password different from the current one.' });
  if (issues.length > 0) {
    throw new ShiraseError('VALIDATION', `The password was not saved: ${issues.length} field(s) need fixing.`, { fields: issues });
  }
  const passwordHash = hashPassword(input.newPassword);
  return db.transaction((tx) => {
    tx.update(users).set({ passwordHash, updatedAt: ctx.now }).where(eq(users.id, user.id)).run();
    const sessionsEnded = endUserSessions(tx, user.id, input.keepSessionToken);
    recordAudit(tx, ctx, { action: 'user.change_password', entityType: 'user', entityId: user.id, after: { sessionsEnded } });
    return { sessionsEnded };
  });
}

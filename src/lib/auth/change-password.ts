import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { fieldIssue, notFound, notSaved, type FieldIssue } from '../errors';
import { recordAudit } from '../audit/record-audit';
import type { WriteContext } from '../write-context';
import { hashPassword, newPasswordField, verifyPassword } from './password';
import { endUserSessions } from './sessions';
import { claimSignInAttempt, forgiveSignInAttempt } from './sign-in-throttle';
import { issueFromZod } from '../validation';

const schema = z.object({ newPassword: newPasswordField });

/**
 * A person changes their own password, giving the current one (a wrong one
 * counts as a failed sign-in). Their other sessions end; the one that made
 * the change stays.
 */
export async function changePassword(
  db: Db,
  input: { userId: string; currentPassword: string; newPassword: string; address: string; keepSessionToken?: string },
  ctx: WriteContext,
): Promise<{ sessionsEnded: number }> {
  const user = db.select().from(users).where(eq(users.id, input.userId)).get();
  if (!user) throw notFound('user', input.userId);
  const attempt = claimSignInAttempt(db, user.email, input.address, ctx.now);
  const issues: FieldIssue[] = [];
  const currentOk = await verifyPassword(input.currentPassword, user.passwordHash);
  if (currentOk) forgiveSignInAttempt(db, attempt);
  else issues.push(fieldIssue('currentPassword', 'errors.field.notCurrentPassword'));
  const parsed = schema.safeParse({ newPassword: input.newPassword });
  if (!parsed.success) issues.push(issueFromZod(parsed.error.issues[0]!, 'newPassword'));
  else if (currentOk && input.newPassword === input.currentPassword) issues.push(fieldIssue('newPassword', 'errors.field.samePassword'));
  if (issues.length > 0) {
    throw notSaved('password', issues);
  }
  const passwordHash = await hashPassword(input.newPassword);
  return db.transaction((tx) => {
    tx.update(users).set({ passwordHash, updatedAt: ctx.now }).where(eq(users.id, user.id)).run();
    const sessionsEnded = endUserSessions(tx, user.id, input.keepSessionToken);
    recordAudit(tx, ctx, { action: 'user.change_password', entityType: 'user', entityId: user.id, after: { sessionsEnded } });
    return { sessionsEnded };
  });
}

import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import type { WriteContext } from '../write-context';
import type { Role } from './users';

export function setUserRole(db: Db, userId: string, role: Role, ctx: WriteContext): void {
  db.transaction((tx) => {
    const before = tx.select().from(users).where(eq(users.id, userId)).get();
    if (!before) throw notFound('user', userId);
    tx.update(users).set({ role, updatedAt: ctx.now }).where(eq(users.id, userId)).run();
    recordAudit(tx, ctx, { action: 'user.set_role', entityType: 'user', entityId: userId, before: { role: before.role }, after: { role } });
  });
}

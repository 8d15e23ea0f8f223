import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { checks } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { editConflict, notFound } from '../errors';
import { newPublicId } from '../ids';
import { parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { checkSchema, type CheckInput } from './check-input';

/** Adds a check; the loop runs it first at once, then every interval. */
export function createCheck(db: Db, input: CheckInput, ctx: WriteContext): { id: string } {
  const data = parseInput(checkSchema, input, 'check');
  return db.transaction((tx) => {
    const id = newPublicId();
    tx.insert(checks)
      .values({ id, ...data, createdAt: ctx.now, updatedAt: ctx.now })
      .run();
    recordAudit(tx, ctx, { action: 'check.create', entityType: 'check', entityId: id, after: data });
    return { id };
  });
}

/**
 * Changes a check. Its state and results stay: a changed target or threshold
 * applies from the next run. With `version`, a save based on an older version
 * is refused instead of overwriting someone else's.
 */
export function editCheck(db: Db, id: string, input: CheckInput & { version?: number }, ctx: WriteContext): void {
  const data = parseInput(checkSchema, input, 'check');
  db.transaction((tx) => {
    const before = tx.select().from(checks).where(eq(checks.id, id)).get();
    if (!before) throw notFound('check', id);
    if (input.version !== undefined && input.version !== before.version)
      throw editConflict({ version: before.version, values: { name: before.name, target: before.target } });
    tx.update(checks)
      .set({ ...data, version: before.version + 1, updatedAt: ctx.now })
      .where(eq(checks.id, id))
      .run();
    const { name, kind, target, intervalSeconds, timeoutMs, expectedStatus, keyword, certWarnDays, failuresBefore, labels, enabled } = before;
    recordAudit(tx, ctx, {
      action: 'check.edit',
      entityType: 'check',
      entityId: id,
      before: { name, kind, target, intervalSeconds, timeoutMs, expectedStatus, keyword, certWarnDays, failuresBefore, labels, enabled },
      after: data,
    });
  });
}

import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { alertRules } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { assertVersion } from '../edit-version';
import { notFound } from '../errors';
import type { Tx } from '../incidents/log';
import type { WriteContext } from '../write-context';
import { findRule, formatMatcher } from './rule';

/** Numbers the rules 1, 2, 3… in their current order, so positions stay dense after a removal or a move. */
export function renumberRules(tx: Tx, order: string[], now: number): void {
  order.forEach((id, i) =>
    tx
      .update(alertRules)
      .set({ position: i + 1, updatedAt: now })
      .where(eq(alertRules.id, id))
      .run(),
  );
}

export function ruleOrder(tx: Tx): string[] {
  return tx
    .select({ id: alertRules.id })
    .from(alertRules)
    .orderBy(asc(alertRules.position), asc(alertRules.createdAt))
    .all()
    .map((r) => r.id);
}

/**
 * Deletes a rule. Alert groups it took keep their draft or incident; alerts
 * that arrive later go to the next rule that matches, or to none.
 */
export function deleteRule(db: Db, id: string, ctx: WriteContext, version?: number): void {
  db.transaction((tx) => {
    const before = findRule(tx, id);
    if (!before) throw notFound('alertRule', id);
    assertVersion(version, { version: before.version, values: { name: before.name, matchers: before.matchers.map(formatMatcher).join('\n') } });
    tx.delete(alertRules).where(eq(alertRules.id, id)).run();
    renumberRules(tx, ruleOrder(tx), ctx.now);
    recordAudit(tx, ctx, {
      action: 'alert_rule.delete',
      entityType: 'alert_rule',
      entityId: id,
      before: { ...before, matchers: before.matchers.map(formatMatcher) },
    });
  });
}

import type { Db } from '../../../db/open';
import { recordAudit } from '../audit/record-audit';
import { notFound } from '../errors';
import type { WriteContext } from '../write-context';
import { renumberRules, ruleOrder } from './delete-rule';
import { findRule } from './rule';

/** Moves a rule one place earlier or later in the order rules are tried; at either end it stays. */
export function moveRule(db: Db, id: string, direction: 'up' | 'down', ctx: WriteContext): void {
  db.transaction((tx) => {
    const before = findRule(tx, id);
    if (!before) throw notFound('alertRule', id);
    const order = ruleOrder(tx);
    const index = order.indexOf(id);
    const target = direction === 'up' ? index - 1 : index + 1;
    if (target < 0 || target >= order.length) return;
    [order[index], order[target]] = [order[target]!, order[index]!];
    renumberRules(tx, order, ctx.now);
    recordAudit(tx, ctx, {
      action: 'alert_rule.move',
      entityType: 'alert_rule',
      entityId: id,
      before: { position: before.position },
      after: { position: target + 1, direction },
    });
  });
}

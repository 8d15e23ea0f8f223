// Corrections to a component's status history: staff say what really
// happened over a span (an outage that began before anyone recorded it, a
// false alarm) and why. The ledger itself is never rewritten; every reader
// of it (uptime reports, the 90-day strip, the API) lays these on top.
import { and, asc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { builtOnce, type Db } from '../../../db/open';
import { components, statusCorrections } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { fieldIssue, notFound, notSaved } from '../errors';
import { newPublicId, PUBLIC_ID_PATTERN } from '../ids';
import { bumpChangeCounter } from '../site/change-counter';
import type { CorrectionSpan } from '../status/corrections';
import { COMPONENT_STATUSES, type ComponentStatus } from '../status/vocabulary';
import { MAX_NOTE_CHARS, parseInput, timestampField } from '../validation';
import type { WriteContext } from '../write-context';

export const correctionSchema = z.object({
  componentId: z.string({ required_error: 'errors.field.pickOne' }).regex(PUBLIC_ID_PATTERN, 'errors.field.pickOne'),
  from: timestampField,
  to: timestampField,
  status: z.enum(COMPONENT_STATUSES, { errorMap: () => ({ message: 'errors.field.pickComponentStatus' }) }),
  reason: z
    .string({ required_error: 'errors.field.correctionReasonRequired' })
    .trim()
    .min(1, 'errors.field.correctionReasonRequired')
    .max(MAX_NOTE_CHARS, 'errors.field.reasonTooLong'),
});

export type CorrectionInput = z.input<typeof correctionSchema>;

export interface CorrectionView {
  id: string;
  componentId: string;
  from: number;
  to: number;
  status: ComponentStatus;
  reason: string;
  createdBy: string;
  createdAt: number;
  withdrawnAt: number | null;
  withdrawnBy: string | null;
}

/**
 * Records a correction to one component's history. The span must have
 * ended: corrections are about what happened, and the status now is set on
 * the component itself.
 */
export function correctStatusHistory(db: Db, input: CorrectionInput, ctx: WriteContext): { correctionId: string } {
  const data = parseInput(correctionSchema, input, 'statusCorrection');
  const issues = [];
  if (data.to <= data.from) issues.push(fieldIssue('to', 'errors.field.correctionEndsBeforeStart'));
  if (data.to > ctx.now) issues.push(fieldIssue('to', 'errors.field.statusCorrectionInFuture'));
  if (issues.length > 0) throw notSaved('statusCorrection', issues);
  const correctionId = newPublicId();
  db.transaction((tx) => {
    const component = tx.select({ id: components.id }).from(components).where(eq(components.id, data.componentId)).get();
    if (!component) throw notSaved('statusCorrection', [fieldIssue('componentId', 'errors.field.pickOne')]);
    tx.insert(statusCorrections)
      .values({ id: correctionId, ...data, createdBy: ctx.actor?.label ?? 'Shirase', createdAt: ctx.now })
      .run();
    recordAudit(tx, ctx, { action: 'uptime.correct', entityType: 'component', entityId: data.componentId, after: { correctionId, ...data } });
    bumpChangeCounter(tx);
  });
  return { correctionId };
}

/** Takes a correction back: the ledger reads as it did before, and the withdrawal stays on record. */
export function withdrawCorrection(db: Db, correctionId: string, ctx: WriteContext): void {
  db.transaction((tx) => {
    const before = tx.select().from(statusCorrections).where(eq(statusCorrections.id, correctionId)).get();
    if (!before || before.withdrawnAt !== null) throw notFound('statusCorrection', correctionId);
    tx.update(statusCorrections)
      .set({ withdrawnAt: ctx.now, withdrawnBy: ctx.actor?.label ?? 'Shirase' })
      .where(eq(statusCorrections.id, correctionId))
      .run();
    recordAudit(tx, ctx, { action: 'uptime.withdraw_correction', entityType: 'component', entityId: before.componentId, before });
    bumpChangeCounter(tx);
  });
}

/** Every correction, newest first, withdrawn ones included: the record staff read. */
export function listCorrections(db: Db): CorrectionView[] {
  return db.select().from(statusCorrections).orderBy(asc(statusCorrections.createdAt)).all().reverse();
}

/**
 * The corrections in force that overlap [since, until), by component, in the
 * order they were made (a later one is laid over an earlier one).
 */
export function loadCorrectionSpans(db: Db, since: number, until = Number.MAX_SAFE_INTEGER): Map<string, CorrectionSpan[]> {
  const rows = builtOnce(db, 'loadCorrectionSpans', () =>
    db
      .select({ componentId: statusCorrections.componentId, from: statusCorrections.from, to: statusCorrections.to, status: statusCorrections.status })
      .from(statusCorrections)
      .where(
        and(isNull(statusCorrections.withdrawnAt), gt(statusCorrections.to, sql.placeholder('since')), lt(statusCorrections.from, sql.placeholder('until'))),
      )
      .orderBy(asc(statusCorrections.createdAt), asc(statusCorrections.id))
      .prepare(),
  ).all({ since, until });
  const spans = new Map<string, CorrectionSpan[]>();
  for (const { componentId, ...span } of rows) {
    const list = spans.get(componentId) ?? [];
    list.push(span);
    spans.set(componentId, list);
  }
  return spans;
}

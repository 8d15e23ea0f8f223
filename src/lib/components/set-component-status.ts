import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { components } from '../../../db/schema';
import { notFound } from '../errors';
import { recordAudit } from '../audit/record-audit';
import { componentStatusAt, recordStatusChanges } from '../incidents/log';
import { assertVersion, versionField } from '../edit-version';
import { bumpChangeCounter } from '../site/change-counter';
import { COMPONENT_STATUSES } from '../status/vocabulary';
import { MAX_NOTE_CHARS, parseInput } from '../validation';
import type { WriteContext } from '../write-context';

export const setStatusSchema = z.object({
  status: z.enum(COMPONENT_STATUSES, { errorMap: () => ({ message: 'errors.field.pickComponentStatus' }) }),
  note: z.string().trim().max(MAX_NOTE_CHARS, 'errors.field.reasonTooLong').optional(),
  /** The component's version the caller saw; a change since then makes this a CONFLICT. */
  version: versionField,
});

/** Sets a component's status by hand, recorded in the ledger with who and why. */
export function setComponentStatus(db: Db, componentId: string, input: z.input<typeof setStatusSchema>, ctx: WriteContext): void {
  const data = parseInput(setStatusSchema, input, 'statusChange');
  db.transaction((tx) => {
    const component = tx.select({ id: components.id, version: components.version }).from(components).where(eq(components.id, componentId)).get();
    if (!component) throw notFound('component', componentId);
    assertVersion(data.version, { version: component.version, values: { status: componentStatusAt(tx, componentId, ctx.now) } });
    const note = [ctx.actor?.label, data.note].filter(Boolean).join(': ') || null;
    recordStatusChanges(tx, [{ componentId, status: data.status }], ctx.now, 'manual', { note, now: ctx.now });
    recordAudit(tx, ctx, {
      action: 'component.set_status',
      entityType: 'component',
      entityId: componentId,
      after: { ...data, version: component.version + 1 },
    });
    bumpChangeCounter(tx);
  });
}

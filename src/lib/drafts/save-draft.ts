import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidentDrafts } from '../../../db/schema';
import { newPublicId } from '../ids';
import { recordAudit } from '../audit/record-audit';
import { parseInput } from '../validation';
import { assertVersion, assertWritten } from '../edit-version';
import type { WriteContext } from '../write-context';
import { draftInputSchema, type DraftInput } from './draft-input';
import { findDraft, storedVersion } from './load-drafts';

/**
 * Saves an incident draft: a new one without `draftId` (a suggested update to
 * `incidentId` when that is given), else the one named,
 * refused (CONFLICT) when it was saved by someone else since `version`.
 * Only the draft and its audit row are written: nothing public changes, so
 * the change counter is left alone.
 */
export function saveDraft(
  db: Db,
  input: { draftId?: string; version?: number; draft: DraftInput; incidentId?: string },
  ctx: WriteContext,
): { draftId: string; version: number } {
  const data = parseInput(draftInputSchema, input.draft, 'draft');
  const json = JSON.stringify(data);
  return db.transaction((tx) => {
    if (input.draftId === undefined) {
      const draftId = newPublicId();
      tx.insert(incidentDrafts)
        .values({
          id: draftId,
          input: json,
          incidentId: input.incidentId ?? null,
          authorId: ctx.actor?.kind === 'user' ? ctx.actor.id : null,
          createdAt: ctx.now,
          updatedAt: ctx.now,
        })
        .run();
      recordAudit(tx, ctx, {
        action: input.incidentId ? 'draft.suggestUpdate' : 'draft.create',
        entityType: 'incident_draft',
        entityId: draftId,
        after: input.incidentId ? { incidentId: input.incidentId, ...data } : data,
      });
      return { draftId, version: 1 };
    }
    const current = findDraft(tx, input.draftId);
    assertVersion(input.version, storedVersion(current));
    const written = tx
      .update(incidentDrafts)
      .set({ input: json, version: current.version + 1, updatedAt: ctx.now })
      .where(eq(incidentDrafts.id, current.id))
      .run();
    assertWritten(written.changes, () => storedVersion(findDraft(tx, current.id)));
    recordAudit(tx, ctx, { action: 'draft.edit', entityType: 'incident_draft', entityId: current.id, before: current.input, after: data });
    return { draftId: current.id, version: current.version + 1 };
  });
}

import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidentDrafts } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { assertVersion } from '../edit-version';
import type { WriteContext } from '../write-context';
import { findDraft, storedVersion } from './load-drafts';

/** Deletes a draft for good; its last text stays in the audit log. */
export function deleteDraft(db: Db, draftId: string, version: number | undefined, ctx: WriteContext): void {
  db.transaction((tx) => {
    const current = findDraft(tx, draftId);
    assertVersion(version, storedVersion(current));
    tx.delete(incidentDrafts).where(eq(incidentDrafts.id, draftId)).run();
    recordAudit(tx, ctx, { action: 'draft.delete', entityType: 'incident_draft', entityId: draftId, before: current.input });
  });
}

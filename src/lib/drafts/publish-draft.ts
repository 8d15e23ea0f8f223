import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { alertGroups, incidentDrafts } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { assertVersion } from '../edit-version';
import { openIncident } from '../incidents/open-incident';
import { postIncidentUpdate } from '../incidents/post-update';
import type { OpenIncidentInput } from '../incidents/input';
import type { WriteContext } from '../write-context';
import { draftToIncidentInput } from './draft-input';
import { findDraft, storedVersion } from './load-drafts';

/**
 * Publishes a draft: opens the incident (notifying only if `notify`) and
 * removes the draft in one transaction, so a draft is never both published
 * and still listed, nor gone without its incident. `input` is what the form
 * shows when published from it (the draft as last edited there); without it,
 * the stored draft is published.
 */
export function publishDraft(
  db: Db,
  draftId: string,
  options: { version?: number; notify: boolean; input?: OpenIncidentInput },
  ctx: WriteContext,
): { incidentId: string; updateId: string } {
  return db.transaction((tx) => {
    const current = findDraft(tx, draftId);
    assertVersion(options.version, storedVersion(current));
    if (current.incidentId !== null) {
      // A suggested update: posted to its incident as it was suggested.
      const { status, body, components, translations } = current.input;
      const bodies = translations ? Object.fromEntries(Object.entries(translations).map(([l, t]) => [l, { body: t.body ?? '' }])) : undefined;
      const posted = postIncidentUpdate(db, current.incidentId, { status, body, components, translations: bodies, notify: options.notify }, ctx);
      tx.delete(incidentDrafts).where(eq(incidentDrafts.id, draftId)).run();
      recordAudit(tx, ctx, {
        action: 'draft.publish',
        entityType: 'incident_update',
        entityId: posted.updateId,
        before: { draftId, version: current.version },
      });
      return { incidentId: current.incidentId, updateId: posted.updateId };
    }
    const input = options.input ? { ...options.input, notify: options.notify } : draftToIncidentInput(current.input, options.notify);
    // Inside this transaction openIncident's own becomes a savepoint: a refusal there leaves the draft as it was.
    const opened = openIncident(db, input, ctx);
    // A draft an alert suggested: its firing group now owns the incident, so later alerts and recovery go to it.
    tx.update(alertGroups).set({ incidentId: opened.incidentId, updatedAt: ctx.now }).where(eq(alertGroups.draftId, draftId)).run();
    tx.delete(incidentDrafts).where(eq(incidentDrafts.id, draftId)).run();
    recordAudit(tx, ctx, { action: 'draft.publish', entityType: 'incident', entityId: opened.incidentId, before: { draftId, version: current.version } });
    return opened;
  });
}

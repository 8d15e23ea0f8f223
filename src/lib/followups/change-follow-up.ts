import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { followUps } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { assertVersion, assertWritten } from '../edit-version';
import { notFound, type StoredVersion } from '../errors';
import { loadPostmortems, type PostmortemSources } from '../postmortems/load-postmortems';
import { bumpChangeCounter } from '../site/change-counter';
import { parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import type { Tx } from '../incidents/log';
import { followUpFields, type FollowUpChange } from './follow-up-input';
import { followUpColumns, settleFollowUp, tellWhenAllClosed, type FollowUpState } from './follow-up-rules';

function stored(tx: Tx, id: string): (FollowUpState & { version: number; postmortemSlug: string }) | undefined {
  return tx.select().from(followUps).where(eq(followUps.id, id)).get();
}

/** What an edit conflict shows beside what was typed. */
function current(row: FollowUpState & { version: number }): StoredVersion & { version: number } {
  return { version: row.version, values: { textEn: row.textEn, textJa: row.textJa, status: row.status, dueOn: row.dueOn } };
}

/**
 * Changes a follow-up: only the fields named change. Closing it (done or
 * dropped) records the day and, with `notify`, tells the incident's
 * subscribers once if it was the last open public one of its report. An edit
 * that started from an older version is refused (CONFLICT).
 */
export function changeFollowUp(
  db: Db,
  sources: PostmortemSources,
  id: string,
  input: FollowUpChange,
  ctx: WriteContext,
): { id: string; version: number; notified: boolean } {
  const data = parseInput(followUpFields, input, 'followUp');
  const timeZone = ctx.site?.timeZone ?? 'UTC';
  return db.transaction((tx) => {
    const before = stored(tx, id);
    if (!before) throw notFound('followUp', id);
    assertVersion(data.version, current(before));
    const change = Object.fromEntries(
      Object.entries({
        textEn: data.textEn,
        textJa: data.textJa,
        ownerId: data.ownerId,
        dueOn: data.dueOn,
        status: data.status,
        closedOn: data.closedOn,
        reasonEn: data.reasonEn,
        reasonJa: data.reasonJa,
        public: data.public,
      }).filter(([, v]) => v !== undefined),
    );
    const after = settleFollowUp(tx, before, change, ctx.now, timeZone);
    const version = before.version + 1;
    const changes = tx
      .update(followUps)
      .set({ ...followUpColumns(after), version, updatedAt: ctx.now })
      .where(and(eq(followUps.id, id), eq(followUps.version, before.version)))
      .run().changes;
    assertWritten(changes, () => current(stored(tx, id)!));
    const library = loadPostmortems(sources);
    const postmortem = library.bySlug.get(before.postmortemSlug);
    const notified = data.notify === true && postmortem !== undefined && tellWhenAllClosed(tx, library, postmortem, ctx.now);
    recordAudit(tx, ctx, {
      action: 'postmortem.followup_change',
      entityType: 'follow_up',
      entityId: id,
      before: { postmortem: before.postmortemSlug, ...followUpColumns(before), version: before.version },
      after: { postmortem: before.postmortemSlug, ...followUpColumns(after), version, ...(notified ? { subscribersTold: true } : {}) },
    });
    bumpChangeCounter(tx);
    return { id, version, notified };
  });
}

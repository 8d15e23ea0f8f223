import type { Db } from '../../../db/open';
import { followUps } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { notFound } from '../errors';
import { newPublicId } from '../ids';
import { loadPostmortems, type PostmortemSources } from '../postmortems/load-postmortems';
import { bumpChangeCounter } from '../site/change-counter';
import { parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { newFollowUpSchema, type NewFollowUp } from './follow-up-input';
import { followUpColumns, personBehind, settleFollowUp, tellWhenAllClosed } from './follow-up-rules';

/**
 * Adds a follow-up to a postmortem (a draft's too, so a report can be
 * published with its promises): planned and public unless staff say
 * otherwise, owned by the person adding it unless they name another.
 */
export function addFollowUp(db: Db, sources: PostmortemSources, input: NewFollowUp, ctx: WriteContext): { id: string; version: number; notified: boolean } {
  const data = parseInput(newFollowUpSchema, input, 'followUp');
  const timeZone = ctx.site?.timeZone ?? 'UTC';
  return db.transaction((tx) => {
    const library = loadPostmortems(sources);
    const postmortem = library.bySlug.get(data.postmortem);
    if (!postmortem) throw notFound('postmortem', data.postmortem);
    const state = settleFollowUp(
      tx,
      undefined,
      {
        textEn: data.textEn,
        textJa: data.textJa,
        ownerId: data.ownerId === undefined ? personBehind(tx, ctx.actor) : data.ownerId,
        dueOn: data.dueOn,
        status: data.status ?? 'planned',
        reasonEn: data.reasonEn ?? null,
        reasonJa: data.reasonJa ?? null,
        public: data.public ?? true,
        ...(data.closedOn ? { closedOn: data.closedOn } : {}),
      },
      ctx.now,
      timeZone,
    );
    const id = newPublicId();
    tx.insert(followUps)
      .values({ id, postmortemSlug: postmortem.slug, ...followUpColumns(state), version: 1, createdAt: ctx.now, updatedAt: ctx.now })
      .run();
    const notified = data.notify === true && tellWhenAllClosed(tx, library, postmortem, ctx.now);
    recordAudit(tx, ctx, {
      action: 'postmortem.followup_add',
      entityType: 'follow_up',
      entityId: id,
      after: { postmortem: postmortem.slug, ...followUpColumns(state), version: 1, ...(notified ? { subscribersTold: true } : {}) },
    });
    bumpChangeCounter(tx);
    return { id, version: 1, notified };
  });
}

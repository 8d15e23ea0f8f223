// What both follow-up verbs check and do inside their transaction: the owner
// is a staff account that can sign in, a closed follow-up has its day (and a
// dropped one its reason in each language), and the incident's subscribers
// hear once when the last public follow-up of a report is closed.
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { apiTokens, followUps, incidents, users } from '../../../db/schema';
import type { Actor } from '../write-context';
import { fieldIssue, notSaved, type FieldIssue } from '../errors';
import type { Tx } from '../incidents/log';
import { enqueueEvent } from '../notifications/enqueue';
import type { Postmortem, PostmortemLibrary } from '../postmortems/load-postmortems';
import { isClosedFollowUp, todayIn, type FollowUpStatus } from './follow-up-dates';
import { reportSlugs } from './load-follow-ups';

/** A follow-up's stored fields that staff decide. */
export interface FollowUpState {
  textEn: string;
  textJa: string;
  ownerId: string | null;
  dueOn: string;
  status: FollowUpStatus;
  closedOn: string | null;
  closedAt: number | null;
  reasonEn: string | null;
  reasonJa: string | null;
  public: boolean;
}

/**
 * The state after a change: a follow-up that is closed now keeps the day it
 * was given (today in the page's zone by default) and when that was recorded;
 * one that is open has neither; only a dropped one has a reason. Refuses what
 * cannot be: an owner who cannot sign in, a closing day in the future, a drop
 * without its reason in each language.
 */
export function settleFollowUp(
  tx: Tx,
  before: FollowUpState | undefined,
  change: Partial<FollowUpState> & { closedOn?: string },
  now: number,
  timeZone: string,
): FollowUpState {
  const merged = { ...before, ...change } as FollowUpState;
  const issues: FieldIssue[] = [];
  if (change.ownerId) {
    const owner = tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.id, change.ownerId), isNull(users.disabledAt)))
      .get();
    if (!owner) issues.push(fieldIssue('ownerId', 'errors.field.pickOwner'));
  }
  const closed = isClosedFollowUp(merged.status);
  const statusChanged = before?.status !== merged.status;
  const today = todayIn(now, timeZone);
  if (closed) {
    merged.closedOn = change.closedOn ?? (statusChanged ? today : (before?.closedOn ?? today));
    merged.closedAt = statusChanged ? now : (before?.closedAt ?? now);
    if (merged.closedOn > today) issues.push(fieldIssue('closedOn', 'errors.field.closedInFuture'));
  } else {
    merged.closedOn = null;
    merged.closedAt = null;
  }
  if (merged.status === 'dropped') {
    if (!merged.reasonEn) issues.push(fieldIssue('reasonEn', 'errors.field.reasonRequired'));
    if (!merged.reasonJa) issues.push(fieldIssue('reasonJa', 'errors.field.reasonRequired'));
  } else {
    merged.reasonEn = null;
    merged.reasonJa = null;
  }
  if (issues.length > 0) throw notSaved('followUp', issues, { hintListsFields: true });
  return merged;
}

/** The stored columns of a state (the audit log keeps the same). */
export function followUpColumns(state: FollowUpState) {
  return {
    textEn: state.textEn,
    textJa: state.textJa,
    ownerId: state.ownerId,
    dueOn: state.dueOn,
    status: state.status,
    closedOn: state.closedOn,
    closedAt: state.closedAt,
    reasonEn: state.reasonEn,
    reasonJa: state.reasonJa,
    public: state.public,
  };
}

/**
 * Tells the subscribers of the report's incident that every public
 * follow-up is done or dropped: once per report (its translations are the
 * same report), whatever is reopened and closed again later. True when the
 * mail was queued by this call.
 */
export function tellWhenAllClosed(tx: Tx, library: PostmortemLibrary, postmortem: Postmortem, now: number): boolean {
  const slugs = reportSlugs(library, postmortem);
  const rows = tx
    .select({ status: followUps.status, public: followUps.public })
    .from(followUps)
    .where(inArray(followUps.postmortemSlug, slugs))
    .all()
    .filter((r) => r.public);
  if (rows.length === 0 || !rows.every((r) => isClosedFollowUp(r.status))) return false;
  const linked =
    postmortem.incidents.length === 0
      ? []
      : tx.select({ id: incidents.id, kind: incidents.kind }).from(incidents).where(inArray(incidents.id, postmortem.incidents)).all();
  // The outage the report explains, rather than the maintenance before it.
  const incidentId = (postmortem.incidents.find((id) => linked.some((i) => i.id === id && i.kind === 'incident')) ?? linked[0]?.id) as string | undefined;
  const report = postmortem.incidents.length > 0 ? [...postmortem.incidents].sort().join(',') : postmortem.slug;
  return enqueueEvent(tx, { kind: 'followups_completed', incidentId, ref: postmortem.slug, onceKey: `followups:${report}` }, now) !== null;
}

/** The staff member behind a write: the signed-in person, or the creator of the token used. */
export function personBehind(tx: Tx, actor: Actor | undefined): string | null {
  if (!actor?.id) return null;
  if (actor.kind === 'user') return actor.id;
  if (actor.kind === 'token') return tx.select({ by: apiTokens.createdBy }).from(apiTokens).where(eq(apiTokens.id, actor.id)).get()?.by ?? null;
  return null;
}

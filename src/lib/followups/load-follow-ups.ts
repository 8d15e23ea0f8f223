// Reading follow-ups: a report's, the open public ones of every published
// report, the closed public ones for the feeds, and the overdue ones for
// staff. A report written in several languages is one report, so its
// follow-ups are those kept under any of its versions' slugs.
import { and, asc, desc, eq, inArray, lte } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { auditLog, followUps, users } from '../../../db/schema';
import type { Queryable } from '../incidents/log';
import type { Locale } from '../i18n/messages';
import { otherLanguages, publishedReports, type Postmortem, type PostmortemLibrary } from '../postmortems/load-postmortems';
import { isClosedFollowUp, isOverdue, type FollowUpStatus } from './follow-up-dates';

export interface FollowUpView {
  id: string;
  postmortemSlug: string;
  text: Record<Locale, string>;
  owner: { id: string; email: string; name: string | null } | null;
  dueOn: string;
  status: FollowUpStatus;
  closedOn: string | null;
  closedAt: number | null;
  reason: Record<Locale, string> | null;
  public: boolean;
  version: number;
  createdAt: number;
  updatedAt: number;
}

type Row = typeof followUps.$inferSelect;

function toView(row: Row, owner: FollowUpView['owner']): FollowUpView {
  return {
    id: row.id,
    postmortemSlug: row.postmortemSlug,
    text: { en: row.textEn, ja: row.textJa },
    owner,
    dueOn: row.dueOn,
    status: row.status,
    closedOn: row.closedOn,
    closedAt: row.closedAt,
    reason: row.reasonEn !== null || row.reasonJa !== null ? { en: row.reasonEn ?? row.reasonJa ?? '', ja: row.reasonJa ?? row.reasonEn ?? '' } : null,
    public: row.public,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function withOwners(db: Queryable, rows: Row[]): FollowUpView[] {
  const ids = [...new Set(rows.map((r) => r.ownerId).filter((id): id is string => id !== null))];
  const owners = new Map(
    (ids.length === 0 ? [] : db.select({ id: users.id, email: users.email, name: users.name }).from(users).where(inArray(users.id, ids)).all()).map((u) => [
      u.id,
      u,
    ]),
  );
  return rows.map((r) => toView(r, r.ownerId === null ? null : (owners.get(r.ownerId) ?? null)));
}

const ORDER = [asc(followUps.dueOn), asc(followUps.createdAt), asc(followUps.id)];

export function findFollowUp(db: Queryable, id: string): FollowUpView | undefined {
  const row = db.select().from(followUps).where(eq(followUps.id, id)).get();
  return row ? withOwners(db, [row])[0] : undefined;
}

/** The slugs a report is known by: this version's and its other languages'. */
export function reportSlugs(library: PostmortemLibrary, postmortem: Postmortem): string[] {
  return [postmortem.slug, ...otherLanguages(library, postmortem).map((p) => p.slug)];
}

/** A report's follow-ups, by due day; `publicOnly` for anything a reader sees. */
export function followUpsOfReport(db: Queryable, library: PostmortemLibrary, postmortem: Postmortem, options: { publicOnly: boolean }): FollowUpView[] {
  const rows = db
    .select()
    .from(followUps)
    .where(inArray(followUps.postmortemSlug, reportSlugs(library, postmortem)))
    .orderBy(...ORDER)
    .all();
  return withOwners(
    db,
    rows.filter((r) => r.public || !options.publicOnly),
  );
}

export interface ReportCommitments {
  postmortem: Postmortem;
  open: FollowUpView[];
  kept: number;
  total: number;
}

/**
 * Every published report with public follow-ups, newest first, in the
 * reader's language where it was written in it: its open follow-ups, and how
 * many of all its public ones are done.
 */
export function publicCommitments(db: Db, library: PostmortemLibrary, locale: Locale): ReportCommitments[] {
  return publishedReports(library, locale)
    .map((postmortem) => {
      const all = followUpsOfReport(db, library, postmortem, { publicOnly: true });
      return { postmortem, open: all.filter((f) => !isClosedFollowUp(f.status)), kept: all.filter((f) => f.status === 'done').length, total: all.length };
    })
    .filter((r) => r.total > 0);
}

/** Public follow-ups done or dropped, of published reports: what the feeds announce. */
export function closedPublicFollowUps(db: Db, library: PostmortemLibrary): { followUp: FollowUpView; postmortem: Postmortem }[] {
  const rows = db
    .select()
    .from(followUps)
    .where(inArray(followUps.status, ['done', 'dropped']))
    .orderBy(...ORDER)
    .all();
  return withOwners(
    db,
    rows.filter((r) => r.public),
  ).flatMap((followUp) => {
    const postmortem = library.bySlug.get(followUp.postmortemSlug);
    return postmortem?.published ? [{ followUp, postmortem }] : [];
  });
}

/** Open follow-ups whose due day has passed in the zone, the longest overdue first, with the report each belongs to. */
export function overdueFollowUps(
  db: Queryable,
  library: PostmortemLibrary,
  now: number,
  timeZone: string,
): { followUp: FollowUpView; postmortem: Postmortem | undefined }[] {
  const rows = db
    .select()
    .from(followUps)
    .where(inArray(followUps.status, ['planned', 'in_progress']))
    .orderBy(...ORDER)
    .all();
  return withOwners(
    db,
    rows.filter((r) => isOverdue(r, now, timeZone)),
  ).map((followUp) => ({ followUp, postmortem: library.bySlug.get(followUp.postmortemSlug) }));
}

/**
 * A report's public follow-ups as they stood at `at`, read from the audit
 * rows every change writes: what a mail about that moment says, the same on
 * every attempt whatever staff change later.
 */
export function publicFollowUpsAsOf(db: Queryable, library: PostmortemLibrary, postmortem: Postmortem, at: number): FollowUpView[] {
  return followUpsOfReport(db, library, postmortem, { publicOnly: false }).flatMap((now) => {
    const entry = db
      .select({ after: auditLog.after })
      .from(auditLog)
      .where(and(eq(auditLog.entityType, 'follow_up'), eq(auditLog.entityId, now.id), lte(auditLog.at, at)))
      .orderBy(desc(auditLog.id))
      .limit(1)
      .get();
    if (!entry?.after) return [];
    const then = JSON.parse(entry.after) as typeof followUps.$inferSelect;
    if (!then.public) return [];
    return [
      {
        ...toView(
          { ...then, id: now.id, postmortemSlug: now.postmortemSlug, createdAt: now.createdAt, updatedAt: now.updatedAt, remindedFor: null },
          now.owner,
        ),
      },
    ];
  });
}

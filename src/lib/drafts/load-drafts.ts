import { desc, eq, isNotNull, isNull } from 'drizzle-orm';
import { incidentDrafts, users } from '../../../db/schema';
import { notFound, type StoredVersion } from '../errors';
import type { Queryable } from '../incidents/log';
import { draftInputSchema, type StoredDraftInput } from './draft-input';

export interface DraftView {
  id: string;
  version: number;
  input: StoredDraftInput;
  /** The incident this draft is a suggested update to; null for a draft of a new incident. */
  incidentId: string | null;
  authorEmail: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A stored draft, read back through its schema (defaults filled in for anything saved before a field existed). */
function toView(row: {
  id: string;
  input: string;
  incidentId: string | null;
  version: number;
  createdAt: number;
  updatedAt: number;
  authorEmail: string | null;
}): DraftView {
  const parsed = draftInputSchema.safeParse(JSON.parse(row.input));
  return { ...row, input: parsed.success ? parsed.data : draftInputSchema.parse({}) };
}

const columns = {
  id: incidentDrafts.id,
  input: incidentDrafts.input,
  incidentId: incidentDrafts.incidentId,
  version: incidentDrafts.version,
  createdAt: incidentDrafts.createdAt,
  updatedAt: incidentDrafts.updatedAt,
  authorEmail: users.email,
};

/** Every draft of a new incident, the most recently saved first: staff keep a handful, never thousands. */
export function listDrafts(db: Queryable): DraftView[] {
  return db
    .select(columns)
    .from(incidentDrafts)
    .leftJoin(users, eq(users.id, incidentDrafts.authorId))
    .where(isNull(incidentDrafts.incidentId))
    .orderBy(desc(incidentDrafts.updatedAt))
    .all()
    .map(toView);
}

/** The updates suggested for one incident and not yet published, the newest first. */
export function suggestedUpdates(db: Queryable, incidentId: string): DraftView[] {
  return db
    .select(columns)
    .from(incidentDrafts)
    .leftJoin(users, eq(users.id, incidentDrafts.authorId))
    .where(eq(incidentDrafts.incidentId, incidentId))
    .orderBy(desc(incidentDrafts.updatedAt))
    .all()
    .map(toView);
}

export function findDraft(db: Queryable, draftId: string): DraftView {
  const row = db.select(columns).from(incidentDrafts).leftJoin(users, eq(users.id, incidentDrafts.authorId)).where(eq(incidentDrafts.id, draftId)).get();
  if (!row) throw notFound('draft', draftId);
  return toView(row);
}

/** What a CONFLICT shows of a draft: its version, name and text. */
export function storedVersion(draft: DraftView): StoredVersion & { version: number } {
  return { version: draft.version, values: { name: draft.input.name, body: draft.input.body } };
}

/** Every suggested update on every incident, for the API's list of what waits for approval. */
export function allSuggestedUpdates(db: Queryable): DraftView[] {
  return db
    .select(columns)
    .from(incidentDrafts)
    .leftJoin(users, eq(users.id, incidentDrafts.authorId))
    .where(isNotNull(incidentDrafts.incidentId))
    .orderBy(desc(incidentDrafts.updatedAt))
    .all()
    .map(toView);
}

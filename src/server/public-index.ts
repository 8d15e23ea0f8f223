import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/open';
import { components, incidents } from '../../db/schema';
import { componentOnPage, incidentsOnPage, loadPageScope, type PageScope } from '../lib/pages/page-scope';
import { loadPostmortems, type PostmortemSources } from '../lib/postmortems/load-postmortems';
import { postmortemsOnPage } from '../lib/pages/page-postmortems';
import { countHistory, HISTORY_PAGE_SIZE } from '../lib/views/history-page';

/** A public page that exists only if a row (or file) of that name does. */
export type Subject =
  | { kind: 'incident' | 'component' | 'live-component' | 'postmortem'; id: string }
  /** A page of the history, or of one live component's history. */
  | { kind: 'history-page'; page: number; componentId?: string };

/**
 * Whether a public page can exist: an incident or component id, a postmortem
 * slug, a history page number. Asked only when the cache misses, answered by
 * a primary-key lookup and remembered until the next change, so a request
 * for a page that cannot exist is answered with the one cached 404 instead of
 * a render of its own: a spray of made-up ids costs no renders and evicts
 * nothing.
 */
export class PublicIndex {
  private seenGeneration = -1;
  private answers = new Map<string, boolean>();
  /** Read once per change: a made-up slug must not cost a read of the whole folder. */
  private postmortemSlugs: Set<string> | undefined;
  /** The page's components and filter, read once per change. */
  private page: PageScope | undefined;

  constructor(
    private readonly db: Db,
    private readonly postmortems: PostmortemSources,
    private readonly generation: () => number,
    /** The status page asked about (see page-sites.ts): another page's incidents and components do not exist here. */
    private readonly pageId: string,
  ) {}

  has(subject: Subject): boolean {
    const generation = this.generation();
    if (generation !== this.seenGeneration || this.answers.size > 10_000) {
      this.seenGeneration = generation;
      this.answers.clear();
      this.postmortemSlugs = undefined;
      this.page = undefined;
    }
    const key = subject.kind === 'history-page' ? `history:${subject.componentId ?? ''}:${subject.page}` : `${subject.kind}:${subject.id}`;
    let answer = this.answers.get(key);
    if (answer === undefined) {
      answer = this.lookUp(subject);
      this.answers.set(key, answer);
    }
    return answer;
  }

  private exists(table: typeof incidents | typeof components, id: string, onlyLive = false): boolean {
    const page = (this.page ??= loadPageScope(this.db, this.pageId));
    if (table === components) {
      if (!componentOnPage(page, id)) return false;
      return (
        this.db
          .select({ one: sql`1` })
          .from(components)
          .where(and(eq(components.id, id), onlyLive ? isNull(components.archivedAt) : undefined))
          .get() !== undefined
      );
    }
    return (
      this.db
        .select({ one: sql`1` })
        .from(incidents)
        .where(and(eq(incidents.id, id), incidentsOnPage(page)))
        .get() !== undefined
    );
  }

  private lookUp(subject: Subject): boolean {
    switch (subject.kind) {
      case 'incident':
        return this.exists(incidents, subject.id);
      case 'component':
        return this.exists(components, subject.id);
      case 'postmortem':
        this.postmortemSlugs ??= new Set(
          postmortemsOnPage(this.db, loadPostmortems(this.postmortems), (this.page ??= loadPageScope(this.db, this.pageId))).bySlug.keys(),
        );
        return this.postmortemSlugs.has(subject.id);
      case 'live-component':
        return this.exists(components, subject.id, true);
      case 'history-page': {
        const page = (this.page ??= loadPageScope(this.db, this.pageId));
        if (subject.componentId === undefined) return subject.page <= pageCount(countHistory(this.db, { page }));
        return (
          this.exists(components, subject.componentId, true) && subject.page <= pageCount(countHistory(this.db, { componentId: subject.componentId, page }))
        );
      }
    }
  }
}

function pageCount(total: number): number {
  return Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE));
}

import type { Db } from '../../db/open';
import { loadPostmortems, type PostmortemSources } from '../lib/postmortems/load-postmortems';
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
  private readonly incident;
  private readonly component;
  private readonly liveComponent;

  constructor(
    private readonly db: Db,
    private readonly postmortems: PostmortemSources,
    private readonly generation: () => number,
  ) {
    this.incident = db.$client.prepare('SELECT 1 FROM incidents WHERE id = ?').pluck();
    this.component = db.$client.prepare('SELECT 1 FROM components WHERE id = ?').pluck();
    this.liveComponent = db.$client.prepare('SELECT 1 FROM components WHERE id = ? AND archived_at IS NULL').pluck();
  }

  has(subject: Subject): boolean {
    const generation = this.generation();
    if (generation !== this.seenGeneration || this.answers.size > 10_000) {
      this.seenGeneration = generation;
      this.answers.clear();
      this.postmortemSlugs = undefined;
    }
    const key = subject.kind === 'history-page' ? `history:${subject.componentId ?? ''}:${subject.page}` : `${subject.kind}:${subject.id}`;
    let answer = this.answers.get(key);
    if (answer === undefined) {
      answer = this.lookUp(subject);
      this.answers.set(key, answer);
    }
    return answer;
  }

  private lookUp(subject: Subject): boolean {
    switch (subject.kind) {
      case 'incident':
        return this.incident.get(subject.id) !== undefined;
      case 'component':
        return this.component.get(subject.id) !== undefined;
      case 'postmortem':
        this.postmortemSlugs ??= new Set(loadPostmortems(this.postmortems).bySlug.keys());
        return this.postmortemSlugs.has(subject.id);
      case 'live-component':
        return this.liveComponent.get(subject.id) !== undefined;
      case 'history-page':
        if (subject.componentId === undefined) return subject.page <= pageCount(countHistory(this.db));
        return (
          this.liveComponent.get(subject.componentId) !== undefined && subject.page <= pageCount(countHistory(this.db, { componentId: subject.componentId }))
        );
    }
  }
}

function pageCount(total: number): number {
  return Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE));
}

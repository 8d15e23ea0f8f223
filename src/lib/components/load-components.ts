import { asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { isPublicId } from '../ids';
import { componentStatusesAt, type Queryable } from '../incidents/log';
import type { Locale } from '../i18n/messages';
import { parseTranslations, translated, type Translations } from '../i18n/translations';
import { builtOnce, keptStatement, type Db } from '../../../db/open';
import { componentGroups, components } from '../../../db/schema';
import { worstComponentStatus, type ComponentStatus } from '../status/vocabulary';
import type { StatusChange } from '../status/uptime';
import { applyCorrections } from '../status/corrections';
import { loadCorrectionSpans } from '../uptime/corrections';
import { componentOnPage, type PageScope } from '../pages/page-scope';

export interface ComponentView {
  id: string;
  name: string;
  description: string | null;
  groupId: string | null;
  position: number;
  onlyShowIfDegraded: boolean;
  status: ComponentStatus;
  /** Texts in other languages as staff wrote them, for the admin's forms. */
  translations: Translations;
  /** Raised by every change to the component, its status included; forms and the API send it back. */
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface GroupView {
  id: string;
  name: string;
  description: string | null;
  position: number;
  status: ComponentStatus;
  components: ComponentView[];
  createdAt: number;
  updatedAt: number;
}

export interface ComponentTree {
  /** Groups in page order, each with its components in order. */
  groups: GroupView[];
  /** Components outside any group, in order. */
  ungrouped: ComponentView[];
  /** Every live component, grouped ones first in page order. */
  all: ComponentView[];
}

/** Live (not archived) components with their current status, arranged as the page shows them (only those on `page` when one is named). */
export function loadComponentTree(db: Db, now: number, locale?: Locale, page?: Pick<PageScope, 'componentIds'>): ComponentTree {
  const say = (json: string | null, field: string, base: string) => translated(parseTranslations(json), locale, field, base);
  // Every render asks: built once per connection (see builtOnce).
  const groupRows = builtOnce(db, 'componentTree.groups', () => db.select().from(componentGroups).orderBy(asc(componentGroups.position)).prepare()).all();
  const componentRows = builtOnce(db, 'componentTree.components', () =>
    db.select().from(components).where(isNull(components.archivedAt)).orderBy(asc(components.position), asc(components.createdAt)).prepare(),
  ).all();
  const statuses = componentStatusesAt(db, now);
  const views: ComponentView[] = componentRows
    .filter((c) => componentOnPage(page, c.id))
    .map((c) => ({
      id: c.id,
      name: say(c.translations, 'name', c.name),
      description: c.description === null ? null : say(c.translations, 'description', c.description),
      groupId: c.groupId,
      position: c.position,
      onlyShowIfDegraded: c.onlyShowIfDegraded,
      status: statuses.get(c.id) ?? 'operational',
      translations: parseTranslations(c.translations),
      version: c.version,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    }));
  const groups: GroupView[] = groupRows
    .map((g) => {
      const children = views.filter((v) => v.groupId === g.id);
      return {
        id: g.id,
        name: say(g.translations, 'name', g.name),
        description: g.description === null ? null : say(g.translations, 'description', g.description),
        position: g.position,
        status: worstComponentStatus(children.map((c) => c.status)),
        components: children,
        createdAt: g.createdAt,
        updatedAt: g.updatedAt,
      };
    })
    .filter((g) => g.components.length > 0);
  const ungrouped = views.filter((v) => v.groupId === null);
  return { groups, ungrouped, all: [...groups.flatMap((g) => g.components), ...ungrouped] };
}

/**
 * Every component's ledger from `since` (up to `until`, when only a past
 * span is wanted), each preceded by the status in force at `since` and read
 * through staff's corrections.
 */
export function loadStatusLedgers(db: Db, since: number, until = Number.MAX_SAFE_INTEGER): Map<string, StatusChange[]> {
  const ledgers = new Map<string, StatusChange[]>();
  for (const [id, status] of componentStatusesAt(db, since)) ledgers.set(id, [{ at: since, status }]);
  if (ledgers.size === 0) return ledgers;
  // One seek of the (component, time) index per component, rows as plain arrays: ten years of 50
  // components is tens of thousands of rows, and a single query over all of them would sort them first.
  const slice = keptStatement(db, 'select at, status from component_status_changes where component_id = ? and at >= ? and at < ? order by at, id').raw();
  for (const [id, ledger] of ledgers) {
    for (const [at, status] of slice.all(id, since, until) as [number, ComponentStatus][]) ledger.push({ at, status });
  }
  for (const [id, spans] of loadCorrectionSpans(db, since, until)) {
    const ledger = ledgers.get(id);
    if (ledger) ledgers.set(id, applyCorrections(ledger, spans));
  }
  return ledgers;
}

/** One live component with its current status, or undefined for an unknown or malformed id. */
export function findComponent(db: Db, id: string, now: number, locale?: Locale, page?: PageScope): ComponentView | undefined {
  if (!isPublicId(id)) return undefined;
  return loadComponentTree(db, now, locale, page).all.find((c) => c.id === id);
}

/**
 * When each component last changed status, by `now`: its change in force
 * counts from when it took effect or was written, whichever is later (a
 * back-dated one is news when it is written; a scheduled one when it starts).
 */
export function statusChangeTimes(db: Db, now: number): Map<string, number> {
  // The change in force for each live component, found by seeking the (component, time) index: a
  // handful of rows read whatever the length of the history.
  const rows = keptStatement(
    db,
    `select c.id as id, (select max(s.at, s.created_at) from component_status_changes s
         where s.component_id = c.id and s.at <= ? order by s.at desc, s.id desc limit 1) as at
       from components c where c.archived_at is null`,
  ).all(now) as { id: string; at: number | null }[];
  return new Map(rows.filter((r) => r.at !== null).map((r) => [r.id, r.at!]));
}

/**
 * Components' names (with their translations) in the order the status page
 * lists them: groups by position, then components without a group; within
 * each, by position and then age.
 */
export function namesInPageOrder(db: Queryable, ids: readonly string[]): { name: string; translations: string | null }[] {
  if (ids.length === 0) return [];
  return db
    .select({ name: components.name, translations: components.translations })
    .from(components)
    .leftJoin(componentGroups, eq(componentGroups.id, components.groupId))
    .where(inArray(components.id, [...ids]))
    .orderBy(sql`${components.groupId} is null`, asc(componentGroups.position), asc(components.position), asc(components.createdAt))
    .all();
}

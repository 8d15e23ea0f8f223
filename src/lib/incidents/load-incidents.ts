import { and, asc, count, desc, eq, sql, type SQL } from 'drizzle-orm';
import { builtOnce, inJsonList, type Db } from '../../../db/open';
import { componentStatusChanges, components, incidentComponents, incidentUpdates, incidents } from '../../../db/schema';
import { compareTimeline } from '../status/incident-status';
import type { ComponentStatus, Impact, IncidentKind, UpdateStatus } from '../status/vocabulary';
import type { Locale } from '../i18n/messages';
import { parseTranslations, translated } from '../i18n/translations';
import { automaticText } from '../i18n/automatic-texts';
import { componentOnPage, onPage, type PageScope } from '../pages/page-scope';

interface ComponentChangeView {
  componentId: string;
  name: string;
  oldStatus: ComponentStatus;
  newStatus: ComponentStatus;
}

export interface UpdateView {
  id: string;
  seq: number;
  status: UpdateStatus;
  body: string;
  displayAt: number;
  createdAt: number;
  updatedAt: number;
  notify: boolean;
  /** Raised by every correction; forms send it back so a second save cannot overwrite the first unseen. */
  version: number;
  changes: ComponentChangeView[];
}

export interface IncidentView {
  id: string;
  kind: IncidentKind;
  name: string;
  impact: Impact;
  impactOverride: boolean;
  status: UpdateStatus;
  startedAt: number;
  /** When staff said impact began, where they said so (before the first update). */
  declaredStartAt: number | null;
  monitoringAt: number | null;
  resolvedAt: number | null;
  scheduledFor: number | null;
  scheduledUntil: number | null;
  autoTransitions: boolean;
  backfilled: boolean;
  createdAt: number;
  updatedAt: number;
  /** Raised by every edit of the incident itself; see UpdateView.version. */
  version: number;
  /** Raised by every change to the incident or its log: a calendar event's SEQUENCE. */
  sequence: number;
  /** The repeating maintenance this window is one occurrence of. */
  seriesId: string | null;
  components: { id: string; name: string }[];
  /** The published postmortem that explains it, once one exists. */
  postmortem?: { slug: string; title: string };
  /** Oldest first by display time: all of them, or only the latest when loaded with `updates: 'latest'`. */
  updates: UpdateView[];
  /** How many updates the incident has, loaded or not. */
  updateCount: number;
}

/** Rows by key, each list in the order the rows came. */
function groupBy<T, K>(rows: readonly T[], keyOf: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/**
 * The queries that follow the incidents' own, built once per connection (see
 * builtOnce): each takes the incidents' ids (or the updates') as one JSON list.
 */
const related = (db: Db) =>
  builtOnce(db, 'loadIncidents.related', () => {
    const ranked = db
      .select({
        id: incidentUpdates.id,
        rank: sql<number>`row_number() over (partition by ${incidentUpdates.incidentId} order by ${incidentUpdates.displayAt} desc, ${incidentUpdates.seq} desc)`.as(
          'rank',
        ),
      })
      .from(incidentUpdates)
      .where(inJsonList(incidentUpdates.incidentId, 'ids'))
      .as('ranked');
    const changes = db
      .select({
        updateId: componentStatusChanges.incidentUpdateId,
        componentId: componentStatusChanges.componentId,
        name: components.name,
        translations: components.translations,
        oldStatus: componentStatusChanges.previousStatus,
        newStatus: componentStatusChanges.status,
      })
      .from(componentStatusChanges)
      .innerJoin(components, eq(components.id, componentStatusChanges.componentId));
    return {
      affected: db
        .select({
          incidentId: incidentComponents.incidentId,
          id: components.id,
          name: components.name,
          position: components.position,
          translations: components.translations,
        })
        .from(incidentComponents)
        .innerJoin(components, eq(components.id, incidentComponents.componentId))
        .where(inJsonList(incidentComponents.incidentId, 'ids'))
        .orderBy(asc(components.position))
        .prepare(),
      allUpdates: db.select().from(incidentUpdates).where(inJsonList(incidentUpdates.incidentId, 'ids')).prepare(),
      // Each incident's latest update (by display time, then insertion order), without reading the rest.
      latestUpdates: db
        .select({ update: incidentUpdates })
        .from(incidentUpdates)
        .innerJoin(ranked, and(eq(ranked.id, incidentUpdates.id), eq(ranked.rank, 1)))
        .prepare(),
      updateCounts: db
        .select({ incidentId: incidentUpdates.incidentId, n: count() })
        .from(incidentUpdates)
        .where(inJsonList(incidentUpdates.incidentId, 'ids'))
        .groupBy(incidentUpdates.incidentId)
        .prepare(),
      changesOfIncidents: changes.where(inJsonList(componentStatusChanges.incidentId, 'ids')).orderBy(asc(componentStatusChanges.id)).prepare(),
      changesOfUpdates: changes.where(inJsonList(componentStatusChanges.incidentUpdateId, 'ids')).orderBy(asc(componentStatusChanges.id)).prepare(),
    };
  });

/**
 * Incidents matching `where`, with their affected components, their updates
 * and the status changes each update made, in a few queries whatever the
 * count. `updates`: all of them (the default), only each one's latest (the
 * status page's cards, where a long incident would otherwise read hundreds of
 * updates to show one), or none; `updateCount` is filled in every case.
 */
export function loadIncidents(
  db: Db,
  where: SQL | undefined,
  options: { limit?: number; offset?: number; newestFirst?: boolean; updates?: 'all' | 'latest' | 'none'; locale?: Locale; page?: PageScope } = {},
): IncidentView[] {
  const newestFirst = options.newestFirst !== false;
  where = onPage(where, options.page);
  let rows;
  if (options.limit !== undefined) {
    rows = db
      .select()
      .from(incidents)
      .where(where)
      .orderBy(newestFirst ? desc(incidents.startedAt) : asc(incidents.startedAt), desc(incidents.id))
      .limit(options.limit)
      .offset(options.offset ?? 0)
      .all();
  } else {
    // Without a limit the order is applied here: asked to order, SQLite walks
    // the start-time index over every incident instead of the index that
    // matches the filter, which on a long history costs a hundred times more.
    const direction = newestFirst ? -1 : 1;
    rows = db
      .select()
      .from(incidents)
      .where(where)
      .all()
      .sort((a, b) => direction * (a.startedAt - b.startedAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }
  if (rows.length === 0) return [];
  const ids = JSON.stringify(rows.map((r) => r.id));
  const queries = related(db);
  // Another page's components are not named to this page's readers.
  const affected = queries.affected.all({ ids }).filter((a) => componentOnPage(options.page, a.id));
  // Callers that only need names, times and components skip the timeline.
  const which = options.updates ?? 'all';
  const updates = which === 'all' ? queries.allUpdates.all({ ids }) : which === 'latest' ? queries.latestUpdates.all({ ids }).map((row) => row.update) : [];
  const counts = which === 'all' ? undefined : new Map(queries.updateCounts.all({ ids }).map((c) => [c.incidentId, c.n]));
  const changes =
    updates.length === 0
      ? []
      : which === 'all'
        ? queries.changesOfIncidents.all({ ids })
        : queries.changesOfUpdates.all({ ids: JSON.stringify(updates.map((u) => u.id)) });

  // Texts in the reader's language where staff wrote one, else as written.
  const say = (json: string | null, field: string, base: string) => translated(parseTranslations(json), options.locale, field, base);
  const affectedBy = groupBy(affected, (a) => a.incidentId);
  const updatesBy = groupBy(updates, (u) => u.incidentId);
  const changesBy = groupBy(changes, (c) => c.updateId);
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    name: say(r.translations, 'name', r.name),
    impact: r.impact,
    impactOverride: r.impactOverride,
    status: r.status as UpdateStatus,
    startedAt: r.startedAt,
    declaredStartAt: r.declaredStartAt,
    monitoringAt: r.monitoringAt,
    resolvedAt: r.resolvedAt,
    scheduledFor: r.scheduledFor,
    scheduledUntil: r.scheduledUntil,
    autoTransitions: r.autoTransitions,
    backfilled: r.backfilled,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    version: r.version,
    sequence: r.sequence,
    seriesId: r.seriesId,
    components: (affectedBy.get(r.id) ?? []).map((a) => ({ id: a.id, name: say(a.translations, 'name', a.name) })),
    updates: (updatesBy.get(r.id) ?? [])
      .map((u) => ({
        id: u.id,
        seq: u.seq,
        status: u.status as UpdateStatus,
        body: automaticText(u.bodyKey, options.locale, say(u.translations, 'body', u.body)),
        displayAt: u.displayAt,
        createdAt: u.createdAt,
        updatedAt: u.updatedAt,
        notify: u.notify,
        version: u.version,
        changes: (changesBy.get(u.id) ?? [])
          .filter((c) => componentOnPage(options.page, c.componentId))
          .map((c) => ({
            componentId: c.componentId,
            name: say(c.translations, 'name', c.name),
            oldStatus: c.oldStatus as ComponentStatus,
            newStatus: c.newStatus,
          })),
      }))
      .sort(compareTimeline),
    updateCount: counts ? (counts.get(r.id) ?? 0) : (updatesBy.get(r.id)?.length ?? 0),
  }));
}

/**
 * Marks incidents that a published postmortem explains: they link to it and,
 * as on Statuspage, a resolved one takes the status "postmortem".
 */
export function attachPostmortems<T extends IncidentView>(list: T[], byIncident: ReadonlyMap<string, { slug: string; title: string }>): T[] {
  for (const incident of list) {
    const p = byIncident.get(incident.id);
    if (!p) continue;
    incident.postmortem = { slug: p.slug, title: p.title };
    if (incident.kind === 'incident' && incident.status === 'resolved') incident.status = 'postmortem';
  }
  return list;
}

/** One incident by id; undefined when there is none, or none on `page` when one is named. */
export function loadIncident(db: Db, id: string, locale?: Locale, page?: PageScope): IncidentView | undefined {
  return loadIncidents(db, eq(incidents.id, id), { locale, page })[0];
}

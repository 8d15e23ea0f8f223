// The incident log's building blocks, shared by every verb that writes to it.
// All functions take the open transaction and never await.
import { and, desc, eq, inArray, lte, max, sql } from 'drizzle-orm';
import { builtOnce, type Db } from '../../../db/open';
import { componentStatusChanges, components, incidentComponents, incidentUpdates, incidents } from '../../../db/schema';
import { newPublicId } from '../ids';
import { deriveIncidentTimes } from '../status/incident-status';
import { impactFromComponentStatuses, type ComponentStatus, type StatusCause, type UpdateStatus } from '../status/vocabulary';
import { ShiraseError, fieldIssue } from '../errors';
import { serializeTranslations, type Translations } from '../i18n/translations';
import type { AutomaticText } from '../i18n/automatic-texts';
import { fillPublishedText, type SiteForText } from '../templates/fill-published';

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Either the database or an open transaction: for reads that serve both. */
export type Queryable = Db | Tx;

/** A component's status as the ledger says it was at `at` (operational before any entry). */
export function componentStatusAt(tx: Queryable, componentId: string, at: number): ComponentStatus {
  const row = tx
    .select({ status: componentStatusChanges.status })
    .from(componentStatusChanges)
    .where(and(eq(componentStatusChanges.componentId, componentId), lte(componentStatusChanges.at, at)))
    .orderBy(desc(componentStatusChanges.at), desc(componentStatusChanges.id))
    .limit(1)
    .get();
  return row?.status ?? 'operational';
}

/**
 * Every component's status at `at`, in one query: what a page needs for all
 * of them at once (one lookup per component costs more than the page itself).
 * Components without a ledger entry by then are operational.
 */
export function componentStatusesAt(tx: Queryable, at: number): Map<string, ComponentStatus> {
  // Every render asks: built once per connection (see builtOnce).
  const query = builtOnce(tx, 'componentStatusesAt', () =>
    tx
      .select({
        id: components.id,
        // Spelled out: drizzle would print the outer column as a bare "id", which the subquery reads as its own.
        status: sql<ComponentStatus | null>`(select s.status from component_status_changes s where s.component_id = components.id and s.at <= ${sql.placeholder('at')} order by s.at desc, s.id desc limit 1)`,
      })
      .from(components)
      .prepare(),
  );
  const rows = query.all({ at });
  return new Map(rows.map((r) => [r.id, r.status ?? 'operational']));
}

export interface ComponentChange {
  componentId: string;
  status: ComponentStatus;
}

export function assertComponentsExist(tx: Tx, ids: readonly string[], field = 'components'): void {
  if (ids.length === 0) return;
  const found = tx
    .select({ id: components.id })
    .from(components)
    .where(inArray(components.id, [...ids]))
    .all();
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length > 0) {
    throw new ShiraseError('VALIDATION', 'errors.component.unknown', {
      params: { ids: missing.join(', ') },
      fields: [fieldIssue(field, 'errors.field.unknownComponentId', { ids: missing.join(', ') })],
    });
  }
}

/**
 * Raises a component's version: every change to it, its status included,
 * counts as an edit, so a save that started from an older version is refused.
 */
function raiseComponentVersion(tx: Tx, componentId: string): void {
  tx.update(components)
    .set({ version: sql`${components.version} + 1` })
    .where(eq(components.id, componentId))
    .run();
}

export function recordStatusChanges(
  tx: Tx,
  changes: readonly ComponentChange[],
  at: number,
  cause: StatusCause,
  refs: { incidentId?: string; incidentUpdateId?: string; note?: string | null; now: number },
): void {
  for (const change of changes) {
    tx.insert(componentStatusChanges)
      .values({
        componentId: change.componentId,
        at,
        status: change.status,
        previousStatus: componentStatusAt(tx, change.componentId, at),
        cause,
        incidentId: refs.incidentId ?? null,
        incidentUpdateId: refs.incidentUpdateId ?? null,
        note: refs.note ?? null,
        createdAt: refs.now,
      })
      .run();
    raiseComponentVersion(tx, change.componentId);
  }
}

export function linkComponents(tx: Tx, incidentId: string, componentIds: readonly string[]): void {
  for (const componentId of componentIds) {
    tx.insert(incidentComponents).values({ incidentId, componentId }).onConflictDoNothing().run();
  }
}

function nextSeq(tx: Tx): number {
  const row = tx
    .select({ seq: max(incidentUpdates.seq) })
    .from(incidentUpdates)
    .get();
  return (row?.seq ?? 0) + 1;
}

export function insertUpdate(
  tx: Tx,
  input: {
    incidentId: string;
    status: UpdateStatus;
    body: string;
    displayAt: number;
    notify: boolean;
    now: number;
    translations?: Translations;
    /** A text the system wrote: stored as its catalog key, with no sentence in any language. */
    bodyKey?: AutomaticText;
    /** For filling template variables the text holds (see fillPublishedText). */
    site?: SiteForText;
  },
): string {
  const id = newPublicId();
  // Filled after the incident's components are linked, which every verb does first.
  const text = input.bodyKey
    ? { body: '', translations: undefined }
    : fillPublishedText(tx, input.incidentId, { body: input.body, translations: input.translations, status: input.status, at: input.displayAt }, input.site);
  tx.insert(incidentUpdates)
    .values({
      id,
      seq: nextSeq(tx),
      incidentId: input.incidentId,
      status: input.status,
      body: text.body,
      bodyKey: input.bodyKey ?? null,
      translations: serializeTranslations(text.translations),
      displayAt: input.displayAt,
      notify: input.notify,
      createdAt: input.now,
      updatedAt: input.now,
    })
    .run();
  return id;
}

/**
 * Recomputes the columns that cache what the log says: status and times from
 * the updates (latest display time wins), and the impact from the worst
 * status the incident set on a component, unless staff overrode it.
 */
export function refreshIncident(tx: Tx, incidentId: string, now: number): void {
  const incident = tx.select().from(incidents).where(eq(incidents.id, incidentId)).get();
  if (!incident) return;
  const updates = tx
    .select({ id: incidentUpdates.id, status: incidentUpdates.status, displayAt: incidentUpdates.displayAt, seq: incidentUpdates.seq })
    .from(incidentUpdates)
    .where(eq(incidentUpdates.incidentId, incidentId))
    .all()
    .map((u) => ({ ...u, status: u.status as UpdateStatus }));
  const times = deriveIncidentTimes(updates, incident.declaredStartAt, incident.createdAt);
  if (incident.kind === 'maintenance') {
    // A maintenance starts when its work does, not when it was announced.
    const started = updates.filter((u) => u.status === 'in_progress').sort((a, b) => a.displayAt - b.displayAt)[0];
    times.startedAt = started?.displayAt ?? incident.scheduledFor ?? times.startedAt;
  }
  let impact = incident.impact;
  if (incident.kind === 'maintenance') {
    impact = incident.impactOverride ? incident.impact : 'maintenance';
  } else if (!incident.impactOverride) {
    const set = tx
      .select({ status: componentStatusChanges.status })
      .from(componentStatusChanges)
      .where(eq(componentStatusChanges.incidentId, incidentId))
      .all();
    impact = impactFromComponentStatuses(set.map((s) => s.status));
  }
  tx.update(incidents)
    .set({ ...times, impact, updatedAt: now, sequence: sql`${incidents.sequence} + 1` })
    .where(eq(incidents.id, incidentId))
    .run();
}

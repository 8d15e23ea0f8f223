import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { newPublicId } from '../ids';
import { bumpChangeCounter } from '../site/change-counter';
import { recordAudit } from '../audit/record-audit';
import { enqueueEvent } from '../notifications/enqueue';
import type { WriteContext } from '../write-context';
import { pick, serializeTranslations } from '../i18n/translations';
import { parseInput } from '../validation';
import { fieldIssue, notSaved } from '../errors';
import { openIncidentSchema, type OpenIncidentInput } from './input';
import { assertComponentsExist, insertUpdate, linkComponents, recordStatusChanges, refreshIncident } from './log';
import { pageIdForSlug } from '../pages/load-pages';

/** Opens an incident with its first update and the component statuses it sets, in one transaction. */
export function openIncident(db: Db, input: OpenIncidentInput, ctx: WriteContext): { incidentId: string; updateId: string } {
  const data = parseInput(openIncidentSchema(ctx.now), input, 'incident');
  const displayAt = data.displayAt ?? ctx.now;
  // An incident written up after the event is news to nobody: it is published without a notification.
  const notify = data.notify && !data.backfilled;
  // The earlier of the declared start and the first update is when impact began: a declared start after
  // the first update would be dropped without a word, so it is refused with one.
  if (data.startedAt !== undefined && data.startedAt > displayAt) throw notSaved('incident', [fieldIssue('startedAt', 'errors.field.impactAfterFirstUpdate')]);
  return db.transaction((tx) => {
    const componentIds = data.components.map((c) => c.componentId);
    assertComponentsExist(tx, componentIds);
    const pageId = pageIdForSlug(tx, data.page, 'incident');
    const incidentId = data.id ?? newPublicId();
    tx.insert(incidents)
      .values({
        id: incidentId,
        kind: 'incident',
        name: data.name,
        translations: serializeTranslations(pick(data.translations, 'name')),
        impact: data.impact ?? 'none',
        impactOverride: data.impact !== undefined,
        declaredStartAt: data.startedAt ?? null,
        status: data.status,
        startedAt: data.startedAt ?? displayAt,
        backfilled: data.backfilled,
        autoTransitions: false,
        pageId: pageId ?? null,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .run();
    linkComponents(tx, incidentId, componentIds);
    const translations = pick(data.translations, 'body');
    const updateId = insertUpdate(tx, { incidentId, status: data.status, body: data.body, displayAt, notify, now: ctx.now, translations, site: ctx.site });
    recordStatusChanges(tx, data.components, displayAt, 'incident_update', { incidentId, incidentUpdateId: updateId, now: ctx.now });
    refreshIncident(tx, incidentId, ctx.now);
    if (notify) enqueueEvent(tx, { kind: 'incident_opened', incidentId, updateId }, ctx.now);
    recordAudit(tx, ctx, { action: 'incident.open', entityType: 'incident', entityId: incidentId, after: { ...data, notify, displayAt, updateId } });
    bumpChangeCounter(tx);
    return { incidentId, updateId };
  });
}

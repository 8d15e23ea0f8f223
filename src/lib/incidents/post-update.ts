import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { incidents } from '../../../db/schema';
import { ShiraseError, notFound, fieldIssue } from '../errors';
import { bumpChangeCounter } from '../site/change-counter';
import { recordAudit } from '../audit/record-audit';
import { enqueueEvent, eventKindForUpdate } from '../notifications/enqueue';
import { isPostableStatus } from '../status/vocabulary';
import { parseInput } from '../validation';
import type { Translations } from '../i18n/translations';
import type { AutomaticText } from '../i18n/automatic-texts';
import { postUpdateSchema, type PostUpdateInput } from './input';
import { assertComponentsExist, insertUpdate, linkComponents, recordStatusChanges, refreshIncident } from './log';
import type { WriteContext } from '../write-context';

/**
 * Adds an update to an incident or maintenance. The update may be back-dated;
 * the incident's status follows whichever update is latest by display time.
 */
export function postIncidentUpdate(
  db: Db,
  incidentId: string,
  input: PostUpdateInput,
  ctx: WriteContext,
  options: { bodyKey?: AutomaticText } = {},
): { updateId: string } {
  const data = parseInput(postUpdateSchema(ctx.now), input, 'update');
  const displayAt = data.displayAt ?? ctx.now;
  return db.transaction((tx) => {
    const incident = tx.select({ id: incidents.id, kind: incidents.kind }).from(incidents).where(eq(incidents.id, incidentId)).get();
    if (!incident) throw notFound('incident', incidentId);
    const fits = isPostableStatus(incident.kind, data.status);
    if (!fits) {
      const maintenance = incident.kind === 'maintenance';
      throw new ShiraseError('VALIDATION', maintenance ? 'errors.update.maintenanceStatus' : 'errors.update.incidentStatus', {
        params: { status: data.status },
        fields: [fieldIssue('status', maintenance ? 'errors.field.pickMaintenanceStatus' : 'errors.field.pickIncidentStatus')],
      });
    }
    const componentIds = data.components.map((c) => c.componentId);
    assertComponentsExist(tx, componentIds);
    linkComponents(tx, incidentId, componentIds);
    const translations = data.translations as Translations | undefined;
    const updateId = insertUpdate(tx, {
      incidentId,
      status: data.status,
      body: data.body,
      displayAt,
      notify: data.notify,
      now: ctx.now,
      translations,
      bodyKey: options.bodyKey,
      site: ctx.site,
    });
    recordStatusChanges(tx, data.components, displayAt, incident.kind === 'maintenance' ? 'maintenance' : 'incident_update', {
      incidentId,
      incidentUpdateId: updateId,
      now: ctx.now,
    });
    refreshIncident(tx, incidentId, ctx.now);
    if (data.notify) enqueueEvent(tx, { kind: eventKindForUpdate(incident.kind, data.status, false), incidentId, updateId }, ctx.now);
    recordAudit(tx, ctx, { action: 'incident.post_update', entityType: 'incident', entityId: incidentId, after: { ...data, displayAt, updateId } });
    bumpChangeCounter(tx);
    return { updateId };
  });
}

// The token-protected write API: JSON in, the same verbs and rules as the admin forms.
import type { Db } from '../../../db/open';
import type { Config } from '../config';
import { ShiraseError, fieldIssue, notFound } from '../errors';
import { authenticateToken, type TokenScope } from '../auth/api-tokens';
import { openIncident } from '../incidents/open-incident';
import { postIncidentUpdate } from '../incidents/post-update';
import { resolveIncident } from '../incidents/resolve-incident';
import { scheduleMaintenance } from '../incidents/schedule-maintenance';
import { setComponentStatus } from '../components/manage-components';
import { editIncident } from '../incidents/edit-incident';
import { editIncidentUpdate } from '../incidents/edit-update';
import { readVersion } from '../edit-version';
import { findComponent } from '../views/components';
import { loadIncident } from '../views/incidents';
import { isPublicId } from '../ids';
import { incidentObject, componentsJson } from './statuspage-v2';

export interface ApiRequest {
  method: string;
  /** Path below /api/v1, such as `incidents/abc/updates`. */
  path: string;
  authorization: string | null;
  /** The If-Match header: the version an edit started from, when the body does not name one. */
  ifMatch?: string | null;
  body: unknown;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

type Json = Record<string, unknown>;

function object(body: unknown): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ShiraseError('BAD_REQUEST', 'errors.json.notObject', { hint: 'errors.json.notObject.hint' });
  }
  return body as Json;
}

/** ISO 8601 text to milliseconds; absent stays absent, unreadable is a field error. */
function time(body: Json, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null || value === '') return undefined;
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) {
    throw new ShiraseError('VALIDATION', 'errors.api.notDateTime', { params: { field: key }, fields: [fieldIssue(key, 'errors.field.isoDateTime')] });
  }
  return ms;
}

/** The version an edit started from: `version` in the body, else If-Match; none keeps the last-save-wins behaviour. */
function versionOf(body: Json, ifMatch: string | null | undefined): number | undefined {
  return body.version !== undefined && body.version !== null ? readVersion(body.version) : readVersion(ifMatch ?? undefined, 'If-Match');
}

function componentList(body: Json): { componentId: string; status: never }[] {
  const list = body.components;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new ShiraseError('VALIDATION', 'errors.api.componentsNotList', { fields: [fieldIssue('components', 'errors.field.componentList')] });
  return list.map((c: Json) => ({ componentId: String(c?.component_id ?? c?.id ?? ''), status: c?.status as never }));
}

export function handleWriteApi(db: Db, config: Config, req: ApiRequest, now: number): ApiAnswer {
  const parts = req.path.split('/').filter(Boolean);
  const as = (scope: TokenScope) => ({ now, actor: authenticateToken(db, req.authorization, scope, now) });
  const incidentAnswer = (id: string, status: number): ApiAnswer => {
    const incident = loadIncident(db, id)!;
    const { components } = componentsJson({ db, config, now });
    const object = incidentObject({ db, config, now }, incident, components);
    // Versions, for edits that must not overwrite someone else's unseen.
    const versions = new Map(incident.updates.map((u) => [u.id, u.version]));
    return { status, body: { ...object, version: incident.version, incident_updates: object.incident_updates.map((u) => ({ ...u, version: versions.get(u.id) })) } };
  };

  // GET incidents/{id}
  if (req.method === 'GET' && parts[0] === 'incidents' && parts.length === 2) {
    as('read');
    if (!isPublicId(parts[1]!) || !loadIncident(db, parts[1]!)) throw notFound('incident', parts[1]);
    return incidentAnswer(parts[1]!, 200);
  }
  // POST incidents
  if (req.method === 'POST' && parts[0] === 'incidents' && parts.length === 1) {
    const ctx = as('incidents');
    const b = object(req.body);
    const { incidentId } = openIncident(
      db,
      {
        name: b.name as string,
        status: (b.status ?? 'investigating') as 'investigating',
        body: b.body as string,
        components: componentList(b),
        impact: b.impact as 'minor' | undefined,
        displayAt: time(b, 'display_at'),
        startedAt: time(b, 'started_at'),
        notify: b.deliver_notifications === true || b.notify === true,
      },
      ctx,
    );
    return incidentAnswer(incidentId, 201);
  }
  // POST incidents/{id}/updates and incidents/{id}/resolve
  if (req.method === 'POST' && parts[0] === 'incidents' && parts.length === 3 && (parts[2] === 'updates' || parts[2] === 'resolve')) {
    const ctx = as('incidents');
    const id = parts[1]!;
    const b = object(req.body);
    if (!isPublicId(id) || !loadIncident(db, id)) throw notFound('incident', id);
    const notify = b.deliver_notifications === true || b.notify === true;
    if (parts[2] === 'resolve') {
      resolveIncident(db, id, { body: (b.body as string) ?? '', displayAt: time(b, 'display_at'), notify, components: componentList(b) }, ctx);
    } else {
      postIncidentUpdate(db, id, { status: b.status as 'identified', body: b.body as string, components: componentList(b), displayAt: time(b, 'display_at'), notify }, ctx);
    }
    return incidentAnswer(id, 201);
  }
  // PATCH incidents/{id}: rename or set the impact
  if (req.method === 'PATCH' && parts[0] === 'incidents' && parts.length === 2) {
    const ctx = as('incidents');
    const id = parts[1]!;
    const b = object(req.body);
    if (!isPublicId(id) || !loadIncident(db, id)) throw notFound('incident', id);
    editIncident(db, id, { name: b.name as string | undefined, impact: b.impact as 'auto' | undefined, version: versionOf(b, req.ifMatch) }, ctx);
    return incidentAnswer(id, 200);
  }
  // PATCH incidents/{id}/updates/{updateId}: correct an update's text or time
  if (req.method === 'PATCH' && parts[0] === 'incidents' && parts[2] === 'updates' && parts.length === 4) {
    const ctx = as('incidents');
    const [, id, , updateId] = parts as [string, string, string, string];
    const b = object(req.body);
    const incident = isPublicId(id) ? loadIncident(db, id) : undefined;
    if (!incident || !incident.updates.some((u) => u.id === updateId)) throw notFound('update', updateId);
    editIncidentUpdate(db, updateId, { body: b.body as string | undefined, displayAt: time(b, 'display_at'), version: versionOf(b, req.ifMatch) }, ctx);
    return incidentAnswer(id, 200);
  }
  // PATCH components/{id}
  if (req.method === 'PATCH' && parts[0] === 'components' && parts.length === 2) {
    const ctx = as('components');
    const b = object(req.body);
    const id = parts[1]!;
    if (!findComponent(db, id, now)) throw notFound('component', id);
    setComponentStatus(db, id, { status: b.status as 'operational', note: typeof b.note === 'string' ? b.note : undefined, version: versionOf(b, req.ifMatch) }, ctx);
    const { components } = componentsJson({ db, config, now });
    return { status: 200, body: { ...components.find((c) => c.id === id), version: findComponent(db, id, now)?.version } };
  }
  // POST maintenances
  if (req.method === 'POST' && parts[0] === 'maintenances' && parts.length === 1) {
    const ctx = as('maintenance');
    const b = object(req.body);
    const scheduledFor = time(b, 'scheduled_for');
    const scheduledUntil = time(b, 'scheduled_until');
    const { incidentId } = scheduleMaintenance(
      db,
      {
        name: b.name as string,
        body: b.body as string,
        componentIds: Array.isArray(b.component_ids) ? b.component_ids.map(String) : [],
        scheduledFor: scheduledFor as number,
        scheduledUntil: scheduledUntil as number,
        autoTransitions: b.auto_transitions !== false,
        notify: b.deliver_notifications === true || b.notify === true,
      },
      ctx,
    );
    return incidentAnswer(incidentId, 201);
  }
  throw new ShiraseError('NOT_FOUND', 'errors.api.noEndpoint', { params: { method: req.method, path: `/api/v1/${parts.join('/')}` }, hint: 'errors.api.noEndpoint.hint' });
}

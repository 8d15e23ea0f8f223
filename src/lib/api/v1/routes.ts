// Every write API route: its method and path (as its file under
// src/pages/api/v1 spells it), the token scope it needs, the schema of its
// body, and a handler that parses the body and calls one verb. The route files
// run these; openapi.ts describes them, so the document and the routes share
// one list.
import type { ZodTypeAny } from 'zod';
import type { TokenScope } from '../../auth/api-tokens';
import { setComponentStatus } from '../../components/set-component-status';
import { readVersion } from '../../edit-version';
import { editIncident } from '../../incidents/edit-incident';
import { editIncidentUpdate } from '../../incidents/edit-update';
import { openIncident } from '../../incidents/open-incident';
import { postIncidentUpdate } from '../../incidents/post-update';
import { resolveIncident } from '../../incidents/resolve-incident';
import { scheduleMaintenance } from '../../incidents/schedule-maintenance';
import { rescheduleMaintenance } from '../../incidents/reschedule-maintenance';
import { fromAlertmanager, fromGrafana, fromWebhook } from '../../alerts/payloads';
import { receiveAlerts } from '../../alerts/receive-alerts';
import type { AlertDelivery } from '../../alerts/alert';
import { publishDraft } from '../../drafts/publish-draft';
import { ShiraseError } from '../../errors';
import { componentAnswer, draftsAnswer, existingComponent, existingIncident, existingUpdate, incidentAnswer, receivedAnswer, type ApiAnswer } from './answers';
import type { ApiCall } from './endpoint';
import { parseBody } from './endpoint';
import {
  alertmanagerDoc,
  componentStatusBody,
  genericAlertDoc,
  grafanaDoc,
  incidentEditBody,
  newIncidentBody,
  newMaintenanceBody,
  rescheduleMaintenanceBody,
  newUpdateBody,
  publishDraftBody,
  resolutionBody,
  updateEditBody,
} from './schemas';

export interface WriteRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** OpenAPI spelling below /api/v1: `/incidents/{id}`. */
  path: string;
  scope: TokenScope;
  summary: string;
  body?: ZodTypeAny;
  /** Reads an If-Match header as the version the edit started from. */
  ifMatch?: boolean;
  /** 204: the answer has no body. */
  status: 200 | 201 | 204;
  /** Query parameters, described in the OpenAPI document. */
  query?: Record<string, string>;
  answers: 'incident' | 'component' | 'drafts' | 'received' | 'rule' | 'rules' | 'followUp' | 'followUps' | 'page' | 'pages' | 'nothing';
  handle(call: ApiCall): ApiAnswer;
}

/** The version an edit started from: `version` in the body, else If-Match; none keeps the last-save-wins behaviour. */
export function versionOf(call: ApiCall): number | undefined {
  const v = call.body.version;
  return v !== undefined && v !== null ? readVersion(v) : readVersion(call.ifMatch ?? undefined, 'If-Match');
}

const incident = (call: ApiCall, id: string, status: number) => incidentAnswer(call.db, call.config, call.now, id, status);

const SOURCE_NAMES = { alertmanager: 'Alertmanager', grafana: 'Grafana', webhook: 'webhook', check: 'check' } as const;

/** Takes a delivery as the token's actor, the audit log naming the source it came through. */
function receive(call: ApiCall, delivery: AlertDelivery): ApiAnswer {
  const actor = call.ctx.actor ? { ...call.ctx.actor, label: `${call.ctx.actor.label} via ${SOURCE_NAMES[delivery.source]}` } : undefined;
  return receivedAnswer(receiveAlerts(call.db, call.config, delivery, { now: call.now, actor }));
}

export const WRITE_ROUTES = {
  readIncident: {
    method: 'GET',
    path: '/incidents/{id}',
    scope: 'read',
    summary: 'Read an incident',
    status: 200,
    answers: 'incident',
    handle(call) {
      existingIncident(call.db, call.params.id!);
      return incident(call, call.params.id!, 200);
    },
  },
  openIncident: {
    method: 'POST',
    path: '/incidents',
    scope: 'incidents',
    summary: 'Open an incident',
    body: newIncidentBody,
    status: 201,
    answers: 'incident',
    handle(call) {
      const { incidentId } = openIncident(call.db, parseBody(newIncidentBody, call.body, 'incident'), call.ctx);
      return incident(call, incidentId, 201);
    },
  },
  editIncident: {
    method: 'PATCH',
    path: '/incidents/{id}',
    scope: 'incidents',
    summary: 'Rename an incident or set its impact',
    body: incidentEditBody,
    ifMatch: true,
    status: 200,
    answers: 'incident',
    handle(call) {
      const id = call.params.id!;
      existingIncident(call.db, id);
      const b = parseBody(incidentEditBody, call.body, 'incident');
      editIncident(call.db, id, { name: b.name, impact: b.impact, version: versionOf(call) }, call.ctx);
      return incident(call, id, 200);
    },
  },
  postUpdate: {
    method: 'POST',
    path: '/incidents/{id}/updates',
    scope: 'incidents',
    summary: 'Post an update',
    body: newUpdateBody,
    status: 201,
    answers: 'incident',
    handle(call) {
      const id = call.params.id!;
      existingIncident(call.db, id);
      postIncidentUpdate(call.db, id, parseBody(newUpdateBody, call.body, 'update'), call.ctx);
      return incident(call, id, 201);
    },
  },
  correctUpdate: {
    method: 'PATCH',
    path: '/incidents/{id}/updates/{updateId}',
    scope: 'incidents',
    summary: "Correct an update's text or time",
    body: updateEditBody,
    ifMatch: true,
    status: 200,
    answers: 'incident',
    handle(call) {
      const { id, updateId } = call.params as { id: string; updateId: string };
      existingUpdate(call.db, id, updateId);
      const b = parseBody(updateEditBody, call.body, 'correction');
      editIncidentUpdate(call.db, updateId, { body: b.body, displayAt: b.display_at, version: versionOf(call) }, call.ctx);
      return incident(call, id, 200);
    },
  },
  resolve: {
    method: 'POST',
    path: '/incidents/{id}/resolve',
    scope: 'incidents',
    summary: 'Resolve an incident or complete a maintenance',
    body: resolutionBody,
    status: 201,
    answers: 'incident',
    handle(call) {
      const id = call.params.id!;
      existingIncident(call.db, id);
      resolveIncident(call.db, id, parseBody(resolutionBody, call.body, 'resolution'), call.ctx);
      return incident(call, id, 201);
    },
  },
  setComponentStatus: {
    method: 'PATCH',
    path: '/components/{id}',
    scope: 'components',
    summary: 'Set a component status',
    body: componentStatusBody,
    ifMatch: true,
    status: 200,
    answers: 'component',
    handle(call) {
      const id = call.params.id!;
      existingComponent(call.db, id, call.now);
      const b = parseBody(componentStatusBody, call.body, 'statusChange');
      setComponentStatus(call.db, id, { status: b.status, note: b.note, version: versionOf(call) }, call.ctx);
      return componentAnswer(call.db, call.config, call.now, id);
    },
  },
  scheduleMaintenance: {
    method: 'POST',
    path: '/maintenances',
    scope: 'maintenance',
    summary: 'Schedule maintenance',
    body: newMaintenanceBody,
    status: 201,
    answers: 'incident',
    handle(call) {
      const b = parseBody(newMaintenanceBody, call.body, 'maintenance');
      // Occurrences keep the page's wall-clock time, as on the form.
      const { incidentId } = scheduleMaintenance(call.db, { ...b, repeatTimeZone: call.config.timeZone }, call.ctx);
      return incident(call, incidentId, 201);
    },
  },
  rescheduleMaintenance: {
    method: 'PATCH',
    path: '/maintenances/{id}',
    scope: 'maintenance',
    summary: 'Move a maintenance window that has not started (one window of a repeating series on its own)',
    body: rescheduleMaintenanceBody,
    ifMatch: true,
    status: 200,
    answers: 'incident',
    handle(call) {
      const id = call.params.id!;
      existingIncident(call.db, id);
      rescheduleMaintenance(call.db, id, { ...parseBody(rescheduleMaintenanceBody, call.body, 'maintenance'), version: versionOf(call) }, call.ctx);
      return incident(call, id, 200);
    },
  },
  listDrafts: {
    method: 'GET',
    path: '/incidents',
    scope: 'read',
    summary: 'List drafts waiting for approval (state=draft)',
    query: {
      state:
        'Required: `draft`. Drafts are incidents suggested by alerts, checks or staff, and updates suggested for open incidents (`kind: update`); public incidents are at /api/v2/incidents.json.',
    },
    status: 200,
    answers: 'drafts',
    handle(call) {
      if (call.query.get('state') !== 'draft') {
        throw new ShiraseError('BAD_REQUEST', 'errors.api.stateDraft', { hint: 'errors.api.stateDraft.hint' });
      }
      return draftsAnswer(call.db);
    },
  },
  publishDraft: {
    method: 'POST',
    path: '/incidents/{id}/publish',
    scope: 'incidents',
    summary: 'Publish a draft: open its incident, or post its suggested update',
    body: publishDraftBody,
    status: 201,
    answers: 'incident',
    handle(call) {
      const b = parseBody(publishDraftBody, call.body, 'draft');
      const { incidentId } = publishDraft(call.db, call.params.id!, { notify: b.notify, version: versionOf(call) }, call.ctx);
      return incident(call, incidentId, 201);
    },
  },
  alertmanager: {
    method: 'POST',
    path: '/integrations/alertmanager',
    scope: 'alerts',
    summary: "Receive Prometheus Alertmanager's webhook (version 4)",
    body: alertmanagerDoc,
    status: 200,
    answers: 'received',
    handle: (call) => receive(call, fromAlertmanager(call.body)),
  },
  grafana: {
    method: 'POST',
    path: '/integrations/grafana',
    scope: 'alerts',
    summary: "Receive Grafana alerting's webhook",
    body: grafanaDoc,
    status: 200,
    answers: 'received',
    handle: (call) => receive(call, fromGrafana(call.body)),
  },
  webhook: {
    method: 'POST',
    path: '/integrations/webhook',
    scope: 'alerts',
    summary: 'Receive one alert from any tool (generic JSON)',
    body: genericAlertDoc,
    status: 200,
    answers: 'received',
    handle: (call) => receive(call, fromWebhook(call.body)),
  },
} satisfies Record<string, WriteRoute>;

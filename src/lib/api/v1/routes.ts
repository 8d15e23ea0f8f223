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
import { componentAnswer, existingComponent, existingIncident, existingUpdate, incidentAnswer, type ApiAnswer } from './answers';
import type { ApiCall } from './endpoint';
import { parseBody } from './endpoint';
import { componentStatusBody, incidentEditBody, newIncidentBody, newMaintenanceBody, newUpdateBody, resolutionBody, updateEditBody } from './schemas';

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
  answers: 'incident' | 'component' | 'rule' | 'rules' | 'nothing';
  handle(call: ApiCall): ApiAnswer;
}

/** The version an edit started from: `version` in the body, else If-Match; none keeps the last-save-wins behaviour. */
export function versionOf(call: ApiCall): number | undefined {
  const v = call.body.version;
  return v !== undefined && v !== null ? readVersion(v) : readVersion(call.ifMatch ?? undefined, 'If-Match');
}

const incident = (call: ApiCall, id: string, status: number) => incidentAnswer(call.db, call.config, call.now, id, status);

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
      const { incidentId } = scheduleMaintenance(call.db, parseBody(newMaintenanceBody, call.body, 'maintenance'), call.ctx);
      return incident(call, incidentId, 201);
    },
  },
} satisfies Record<string, WriteRoute>;

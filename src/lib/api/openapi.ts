import { COMPONENT_STATUSES, POSTABLE_INCIDENT_STATUSES, POSTABLE_STATUSES } from '../status/vocabulary';
import { TOKEN_SCOPES } from '../auth/api-tokens';

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const errors = {
  '400': errorResponse('Malformed JSON (BAD_REQUEST)'),
  '401': errorResponse('Missing, unknown or revoked token (UNAUTHORIZED)'),
  '403': errorResponse('The token lacks the scope (FORBIDDEN)'),
  '404': errorResponse('No such incident or component (NOT_FOUND)'),
  '409': errorResponse('The change conflicts with the current state (CONFLICT); for an edit that named an older `version`, `current_version` and `current` give what is stored now'),
  '413': errorResponse('Body over 256 KB (PAYLOAD_TOO_LARGE)'),
  '422': errorResponse('A field failed validation (VALIDATION); `fields` says which'),
};
const incident = { description: 'The incident, in the Statuspage v2 shape', content: { 'application/json': { schema: { $ref: '#/components/schemas/Incident' } } } };
const json = (ref: string) => ({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const scoped = (scope: string) => [{ bearer: [scope] }];
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const ifMatch = {
  name: 'If-Match',
  in: 'header',
  required: false,
  schema: { type: 'string' },
  description: 'The version this edit started from, when the body has no `version`',
};
const versionProperty = {
  type: 'integer',
  minimum: 1,
  description:
    'Optional. The version this edit started from, as the last answer gave it. If someone changed the resource since, nothing is changed and the answer is 409 CONFLICT with `current_version` and `current`. Without it the edit applies whatever happened in between.',
};

/** The write API described as OpenAPI 3.1, served at /api/v1/openapi.json. */
export function openApiDocument(siteUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Shirase write API',
      version: '1',
      description: `Open incidents, post updates, resolve, set component statuses and schedule maintenance. Authenticate with a personal API token: \`Authorization: Bearer shr_…\`. Scopes: ${TOKEN_SCOPES.join(', ')}. The same rules as the admin forms apply. Read-only public data is at /api/v2 in the Statuspage format.`,
    },
    servers: [{ url: `${siteUrl}/api/v1` }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', enum: ['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'PAYLOAD_TOO_LARGE', 'VALIDATION', 'RATE_LIMITED'] },
                message: { type: 'string' },
                hint: { type: 'string' },
                fields: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
                current_version: { type: ['integer', 'string'], description: 'CONFLICT on an edit: the version stored now; send it to replace what is stored' },
                current: { type: 'object', additionalProperties: { type: ['string', 'null'] }, description: 'CONFLICT on an edit: the stored texts, to compare with yours' },
              },
            },
          },
        },
        ComponentChange: {
          type: 'object',
          required: ['component_id', 'status'],
          properties: { component_id: { type: 'string', pattern: '^[0-9a-z]{12}$' }, status: { type: 'string', enum: [...COMPONENT_STATUSES] } },
        },
        NewIncident: {
          type: 'object',
          required: ['name', 'body'],
          properties: {
            name: { type: 'string', maxLength: 200 },
            status: { type: 'string', enum: [...POSTABLE_INCIDENT_STATUSES], default: 'investigating' },
            body: { type: 'string', maxLength: 20000, description: 'Markdown' },
            components: { type: 'array', items: { $ref: '#/components/schemas/ComponentChange' } },
            impact: { type: 'string', enum: ['none', 'minor', 'major', 'critical'], description: 'Overrides the impact worked out from component statuses' },
            display_at: { type: 'string', format: 'date-time', description: 'Defaults to now; may be in the past, not in the future' },
            started_at: { type: 'string', format: 'date-time' },
            deliver_notifications: { type: 'boolean', default: false },
          },
        },
        NewUpdate: {
          type: 'object',
          required: ['status', 'body'],
          properties: {
            status: { type: 'string', enum: [...POSTABLE_STATUSES] },
            body: { type: 'string', maxLength: 20000 },
            components: { type: 'array', items: { $ref: '#/components/schemas/ComponentChange' } },
            display_at: { type: 'string', format: 'date-time' },
            deliver_notifications: { type: 'boolean', default: false },
          },
        },
        Resolution: {
          type: 'object',
          required: ['body'],
          properties: {
            body: { type: 'string' },
            components: { type: 'array', items: { $ref: '#/components/schemas/ComponentChange' }, description: 'Components to leave in a status other than operational' },
            display_at: { type: 'string', format: 'date-time' },
            deliver_notifications: { type: 'boolean', default: false },
          },
        },
        ComponentStatus: {
          type: 'object',
          required: ['status'],
          properties: { status: { type: 'string', enum: [...COMPONENT_STATUSES] }, note: { type: 'string', maxLength: 500 }, version: { ...versionProperty, description: `${versionProperty.description} A component's version is raised by every change to it, its status included.` } },
        },
        IncidentEdit: {
          type: 'object',
          properties: {
            name: { type: 'string', maxLength: 200 },
            impact: { type: 'string', enum: ['auto', 'none', 'minor', 'major', 'critical', 'maintenance'], description: '`auto` goes back to working it out from component statuses' },
            version: versionProperty,
          },
        },
        UpdateEdit: {
          type: 'object',
          properties: { body: { type: 'string', maxLength: 20000 }, display_at: { type: 'string', format: 'date-time' }, version: versionProperty },
        },
        NewMaintenance: {
          type: 'object',
          required: ['name', 'body', 'scheduled_for', 'scheduled_until'],
          properties: {
            name: { type: 'string' },
            body: { type: 'string' },
            component_ids: { type: 'array', items: { type: 'string' } },
            scheduled_for: { type: 'string', format: 'date-time' },
            scheduled_until: { type: 'string', format: 'date-time', description: 'Must be after scheduled_for' },
            auto_transitions: { type: 'boolean', default: true },
            deliver_notifications: { type: 'boolean', default: false },
          },
        },
        Incident: { type: 'object', description: 'As in /api/v2/incidents.json, plus `version` on the incident and on each of its `incident_updates`' },
      },
    },
    paths: {
      '/incidents': { post: { summary: 'Open an incident', security: scoped('incidents'), requestBody: json('NewIncident'), responses: { '201': incident, ...errors } } },
      '/incidents/{id}': {
        get: { summary: 'Read an incident', security: scoped('read'), parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': incident, ...errors } },
        patch: { summary: 'Rename an incident or set its impact', security: scoped('incidents'), parameters: [idParam('id'), ifMatch], requestBody: json('IncidentEdit'), responses: { '200': incident, ...errors } },
      },
      '/incidents/{id}/updates/{updateId}': {
        patch: { summary: "Correct an update's text or time", security: scoped('incidents'), parameters: [idParam('id'), idParam('updateId'), ifMatch], requestBody: json('UpdateEdit'), responses: { '200': incident, ...errors } },
      },
      '/incidents/{id}/updates': {
        post: { summary: 'Post an update', security: scoped('incidents'), parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], requestBody: json('NewUpdate'), responses: { '201': incident, ...errors } },
      },
      '/incidents/{id}/resolve': {
        post: { summary: 'Resolve an incident or complete a maintenance', security: scoped('incidents'), parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], requestBody: json('Resolution'), responses: { '201': incident, ...errors } },
      },
      '/components/{id}': {
        patch: { summary: 'Set a component status', security: scoped('components'), parameters: [idParam('id'), ifMatch], requestBody: json('ComponentStatus'), responses: { '200': { description: 'The component, in the Statuspage v2 shape, with its `version`' }, ...errors } },
      },
      '/maintenances': { post: { summary: 'Schedule maintenance', security: scoped('maintenance'), requestBody: json('NewMaintenance'), responses: { '201': incident, ...errors } } },
    },
  };
}

import { COMPONENT_STATUSES, INCIDENT_STATUSES, MAINTENANCE_STATUSES } from '../status/vocabulary';
import { TOKEN_SCOPES } from '../auth/api-tokens';

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const errors = {
  '400': errorResponse('Malformed JSON (BAD_REQUEST)'),
  '401': errorResponse('Missing, unknown or revoked token (UNAUTHORIZED)'),
  '403': errorResponse('The token lacks the scope (FORBIDDEN)'),
  '404': errorResponse('No such incident or component (NOT_FOUND)'),
  '409': errorResponse('The change conflicts with the current state (CONFLICT)'),
  '413': errorResponse('Body over 256 KB (PAYLOAD_TOO_LARGE)'),
  '422': errorResponse('A field failed validation (VALIDATION); `fields` says which'),
};
const incident = { description: 'The incident, in the Statuspage v2 shape', content: { 'application/json': { schema: { $ref: '#/components/schemas/Incident' } } } };
const json = (ref: string) => ({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const scoped = (scope: string) => [{ bearer: [scope] }];

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
            status: { type: 'string', enum: ['investigating', 'identified', 'monitoring', 'resolved'], default: 'investigating' },
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
            status: { type: 'string', enum: [...INCIDENT_STATUSES.filter((s) => s !== 'postmortem'), ...MAINTENANCE_STATUSES] },
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
          properties: { status: { type: 'string', enum: [...COMPONENT_STATUSES] }, note: { type: 'string', maxLength: 500 } },
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
        Incident: { type: 'object', description: 'As in /api/v2/incidents.json' },
      },
    },
    paths: {
      '/incidents': { post: { summary: 'Open an incident', security: scoped('incidents'), requestBody: json('NewIncident'), responses: { '201': incident, ...errors } } },
      '/incidents/{id}': {
        get: { summary: 'Read an incident', security: scoped('read'), parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': incident, ...errors } },
      },
      '/incidents/{id}/updates': {
        post: { summary: 'Post an update', security: scoped('incidents'), parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], requestBody: json('NewUpdate'), responses: { '201': incident, ...errors } },
      },
      '/incidents/{id}/resolve': {
        post: { summary: 'Resolve an incident or complete a maintenance', security: scoped('incidents'), parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], requestBody: json('Resolution'), responses: { '201': incident, ...errors } },
      },
      '/components/{id}': {
        patch: { summary: 'Set a component status', security: scoped('components'), parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], requestBody: json('ComponentStatus'), responses: { '200': { description: 'The component, in the Statuspage v2 shape' }, ...errors } },
      },
      '/maintenances': { post: { summary: 'Schedule maintenance', security: scoped('maintenance'), requestBody: json('NewMaintenance'), responses: { '201': incident, ...errors } } },
    },
  };
}

// The write API's OpenAPI document, generated from the routes' own zod
// schemas (src/lib/api/v1), so what it says is what the routes accept.
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { TOKEN_SCOPES } from '../auth/api-tokens';
import { ERROR_CODES } from '../errors';
import { ALERT_STATES } from '../alerts/alert';
import { WRITE_ROUTES, type WriteRoute } from './v1/routes';
import { RULE_EXAMPLE_ANSWER, RULE_ROUTES } from './v1/rule-routes';
import { FOLLOW_UP_EXAMPLE_ANSWER, FOLLOW_UP_ROUTES } from './v1/follow-up-routes';
import { PAGE_EXAMPLE_ANSWER, PAGE_ROUTES } from './v1/page-routes';
import './v1/schemas';

const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      key: z.string().openapi({ description: 'A stable name for this message (errors.…), the same in every language' }),
      message: z.string().openapi({ description: "What happened, in the reader's language (Accept-Language)" }),
      hint: z.string().optional().openapi({ description: 'What to do about it' }),
      fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
      current_version: z
        .union([z.number().int(), z.string()])
        .optional()
        .openapi({ description: 'CONFLICT on an edit: the version stored now; send it to replace what is stored' }),
      current: z.record(z.string().nullable()).optional().openapi({ description: 'CONFLICT on an edit: the stored texts, to compare with yours' }),
    }),
  })
  .openapi('Error');

const incidentSchema = z
  .object({})
  .passthrough()
  .openapi('Incident', { description: 'As in /api/v2/incidents.json, plus `version` on the incident and on each of its `incident_updates`' });
const componentSchema = z.object({}).passthrough().openapi('Component', { description: 'The component, in the Statuspage v2 shape, with its `version`' });
const ruleSchema = z.object({}).passthrough().openapi('AlertRule', {
  description:
    'An alert rule: the fields it was saved with, plus `id`, `position` (1 is tried first), `version`, `created_at` and `updated_at`; `texts` holds only the texts that were written',
  example: RULE_EXAMPLE_ANSWER,
});
const followUpSchema = z.object({}).passthrough().openapi('FollowUp', {
  description:
    "A postmortem's follow-up: its texts, `owner`, `due_on`, `status`, `closed_on` and `reason` (when done or dropped), `public`, whether it is `overdue`, and `version`; after a change, `subscribers_told` says whether the change queued the one mail that every public follow-up is closed",
  example: FOLLOW_UP_EXAMPLE_ANSWER,
});
const pageSchema = z.object({}).passthrough().openapi('StatusPage', {
  description:
    'A status page: `id`, `slug`, `name` (null on the default page: the site’s name), `default`, `hosts`, `component_ids`, `default_locale` (null: the site’s), `private`, `version`, `created_at` and `updated_at`',
  example: PAGE_EXAMPLE_ANSWER,
});
const draftsSchema = z
  .object({
    drafts: z.array(
      z
        .object({
          id: z.string().openapi({ description: 'The draft id: publish it at /incidents/{id}/publish' }),
          kind: z.enum(['incident', 'update']),
          incident_id: z.string().nullable().openapi({ description: 'For a suggested update, the incident it is for' }),
          name: z.string(),
          status: z.string(),
          body: z.string(),
          components: z.array(z.object({ id: z.string(), status: z.string() })),
          version: z.number().int(),
          alerts: z
            .object({})
            .passthrough()
            .nullable()
            .openapi({ description: 'The alert group behind the draft: source, rule, state and its alerts; null for a draft staff wrote' }),
        })
        .passthrough(),
    ),
  })
  .openapi('Drafts');
const receivedSchema = z
  .object({
    received: z.number().int().openapi({ description: 'Alerts in the delivery' }),
    changed: z.number().int().openapi({ description: 'Alerts that were new or changed state; 0 for a repeated delivery' }),
    groups: z.array(
      z.object({
        id: z.string(),
        rule: z
          .object({ id: z.string(), name: z.string() })
          .nullable()
          .openapi({ description: 'The rule that took the alerts; null when none matched (a draft naming the alert is made)' }),
        state: z.enum(ALERT_STATES),
        outcome: z.enum(['suggested', 'published', 'appended', 'recovery_suggested', 'recovered', 'unchanged']),
        draft_id: z.string().nullable(),
        incident_id: z.string().nullable(),
        recovery_draft_id: z.string().nullable(),
      }),
    ),
  })
  .openapi('AlertsReceived');

const ANSWERS = {
  incident: [incidentSchema, 'The incident, in the Statuspage v2 shape'],
  component: [componentSchema, 'The component'],
  drafts: [draftsSchema, 'Drafts waiting for approval'],
  received: [receivedSchema, 'What the delivery did, group by group'],
  rule: [ruleSchema, 'The alert rule'],
  rules: [z.array(ruleSchema), 'Every alert rule, in the order they are tried'],
  followUp: [followUpSchema, 'The follow-up'],
  followUps: [z.object({ postmortem: z.string(), follow_ups: z.array(followUpSchema) }).openapi('FollowUps'), "The postmortem's follow-ups, by due day"],
  page: [pageSchema, 'The status page'],
  pages: [z.array(pageSchema), 'Every status page, the default first, then by slug'],
} as const;

const errorResponses: RouteConfig['responses'] = Object.fromEntries(
  (
    [
      [400, 'Malformed JSON, or a body that is not an object (BAD_REQUEST)'],
      [401, 'Missing, unknown or revoked token, or one whose creator is disabled (UNAUTHORIZED)'],
      [403, "The token lacks the scope, or its creator's current role does not have it (FORBIDDEN)"],
      [404, 'No such incident, update, component, alert rule, postmortem, follow-up or status page (NOT_FOUND)'],
      [
        409,
        'The change conflicts with the current state (CONFLICT); for an edit that named an older `version`, `current_version` and `current` give what is stored now',
      ],
      [413, 'Body over 256 KB (PAYLOAD_TOO_LARGE)'],
      [422, 'A field failed validation (VALIDATION); `fields` says which'],
      [503, 'Nothing was saved: the disk or the database ceiling (DATABASE_MAX_MB) is full (STORAGE_FULL); Retry-After says when to try again'],
    ] as const
  ).map(([status, description]) => [status, { description, content: { 'application/json': { schema: errorSchema } } }]),
);

function routeConfig(route: WriteRoute): RouteConfig {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const [answer, answerDescription] = route.answers === 'nothing' ? [undefined, 'Done; no body'] : ANSWERS[route.answers];
  return {
    method: route.method.toLowerCase() as RouteConfig['method'],
    path: route.path,
    summary: route.summary,
    security: [{ bearer: [route.scope] }],
    request: {
      ...(names.length ? { params: z.object(Object.fromEntries(names.map((n) => [n, z.string()]))) } : {}),
      ...(route.query
        ? { query: z.object(Object.fromEntries(Object.entries(route.query).map(([n, description]) => [n, z.string().openapi({ description })]))) }
        : {}),
      ...(route.ifMatch
        ? {
            headers: z.object({
              'If-Match': z.string().optional().openapi({ description: 'The version this edit started from, when the body has no `version`' }),
            }),
          }
        : {}),
      ...(route.body ? { body: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
    },
    responses: {
      [route.status]: answer ? { description: answerDescription, content: { 'application/json': { schema: answer } } } : { description: answerDescription },
      ...errorResponses,
    },
  };
}

/** The write API described as OpenAPI 3.1, served at /api/v1/openapi.json. */
export function openApiDocument(siteUrl: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  for (const route of [
    ...Object.values(WRITE_ROUTES),
    ...Object.values(RULE_ROUTES),
    ...Object.values(FOLLOW_UP_ROUTES),
    ...Object.values(PAGE_ROUTES),
  ] as WriteRoute[])
    registry.registerPath(routeConfig(route));
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Shirase write API',
      version: '1',
      description: `Open incidents, post updates, resolve, set component statuses, schedule maintenance, take alerts in (Alertmanager, Grafana, generic JSON), publish the drafts they suggest, manage the rules that decide what alerts do, track the follow-ups postmortems promise, and manage the status pages each host name reaches. Authenticate with a personal API token: \`Authorization: Bearer shr_…\`; it acts as the person who created it. Scopes: ${TOKEN_SCOPES.join(', ')} (\`alerts\` only sends alerts; \`alert_rules\` and \`pages\`, an admin's, manage the alert rules and the status pages). The same rules as the admin forms apply. Read-only public data is at /api/v2 in the Statuspage format.`,
    },
    servers: [{ url: `${siteUrl}/api/v1` }],
  });
}

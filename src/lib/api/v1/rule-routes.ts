// The alert rules API: list, create, read, edit and delete the rules that turn
// alerts into incidents, with the `alert_rules` scope: an admin's, since a rule
// may publish and notify with no person involved. Bodies are snake_case like
// the rest of the API and checked by the same field validators as the admin
// form (saveRule's); matchers are Alertmanager's strings, `service="api"`.
import { z } from 'zod';
import { deleteRule } from '../../alerts/delete-rule';
import { listRules } from '../../alerts/rule';
import { ruleFields, saveRule, type RuleInput } from '../../alerts/save-rule';
import { existingRule, ruleAnswer, ruleObject } from './answers';
import { parseBody } from './endpoint';
import { versionOf, type WriteRoute } from './routes';
import './schemas';

const f = ruleFields.shape;

const RULE_EXAMPLE = {
  name: 'API down',
  matchers: ['service="api"', 'severity=~"critical|page"'],
  components: [{ component_id: 'k3j9x2m4q8a1', status: 'major_outage' as const }],
  incident_status: 'investigating' as const,
  impact: 'major' as const,
  action: 'suggest' as const,
  notify: true,
  recovery: 'suggest' as const,
  recovery_status: 'resolved' as const,
  enabled: true,
  texts: {
    en: {
      name: '{{alert_name}}: the API is down',
      body: 'The API is not answering ({{alert_count}} alerts since {{started_at}}). We are looking into it.',
      recovery: 'The API has answered normally since {{ended_at}}.',
    },
    ja: {
      name: '{{alert_name}}:API が停止しています',
      body: 'API が応答していません({{started_at}} から {{alert_count}} 件のアラート)。調査しています。',
      recovery: '{{ended_at}} から API は正常に応答しています。',
    },
  },
};

const ruleBodyShape = {
  name: f.name.openapi({ description: 'What staff call the rule' }),
  matchers: f.matchers.openapi({
    description:
      'Alertmanager matchers (`=`, `!=`, `=~`, `!~`); every one must hold. None: the rule takes every alert. Regular expressions use RE2 syntax (no backreferences or lookaround) and must match the whole value. Each unreadable one is named in `fields` as `matchers.<index>`.',
    example: ['service="api"', 'severity=~"critical|page"'],
  }),
  components: z
    .array(
      z.object({
        component_id: z.string({ required_error: 'errors.field.pickComponent', invalid_type_error: 'errors.field.pickComponent' }),
        status: f.components.unwrap().element.shape.status,
      }),
      {
        invalid_type_error: 'errors.field.componentList',
      },
    )
    .optional()
    .openapi({ description: 'Existing components and the status firing alerts put them in' }),
  incident_status: f.incidentStatus,
  impact: f.impact,
  action: f.action.openapi({ description: '`suggest`: a draft waits for staff to publish; `publish`: the incident opens at once' }),
  notify: f.notify.openapi({ description: 'Subscribers are told when the rule publishes (opening and recovery)' }),
  recovery: f.recovery.openapi({ description: 'When every alert has resolved: `suggest` a draft update, or `apply` it at once' }),
  recovery_status: f.recoveryStatus,
  enabled: f.enabled.openapi({ description: 'A disabled rule is skipped' }),
  texts: f.texts.openapi({
    description:
      'Per language (`en`, `ja`): `name`, `body` and `recovery`, which may use {{alert_name}}, {{alert_summary}}, {{alert_count}}, {{components}}, {{started_at}}, {{ended_at}} and {{now}}. A text left out or empty falls back to the built-in one. On an edit, `texts` replaces all of the rule’s texts.',
  }),
};

type RuleBody = z.output<z.ZodObject<typeof ruleBodyShape>>;

/** The body's snake_case names as saveRule knows them; fields left out stay out, so an edit keeps them. */
function ruleInput(b: RuleBody): RuleInput {
  const input: RuleInput = {
    name: b.name,
    matchers: b.matchers,
    incidentStatus: b.incident_status,
    impact: b.impact,
    action: b.action,
    notify: b.notify,
    recovery: b.recovery,
    recoveryStatus: b.recovery_status,
    enabled: b.enabled,
    texts: b.texts,
  };
  if (b.components) input.components = b.components.map((c) => ({ componentId: c.component_id, status: c.status }));
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as RuleInput;
}

const newRuleBody = z.object({ ...ruleBodyShape, name: ruleBodyShape.name.unwrap() }).openapi('NewAlertRule', { example: RULE_EXAMPLE });

const ruleEditBody = z
  .object({
    ...ruleBodyShape,
    version: z.unknown().openapi({
      type: 'integer',
      minimum: 1,
      description:
        'Optional. The version this edit started from; if the rule changed since, nothing is changed and the answer is 409 CONFLICT with `current_version`. Without it (or an If-Match header) the edit applies whatever happened in between.',
    }),
  })
  .openapi('AlertRuleEdit', { example: { matchers: ['service="api"', 'env="production"'], enabled: false, version: 3 } });

export const RULE_EXAMPLE_ANSWER = {
  id: 'p2v7c0d9w1ze',
  position: 1,
  ...RULE_EXAMPLE,
  version: 1,
  created_at: '2026-11-30T01:00:00.000Z',
  updated_at: '2026-11-30T01:00:00.000Z',
};

export const RULE_ROUTES = {
  listRules: {
    method: 'GET',
    path: '/alert-rules',
    scope: 'alert_rules',
    summary: 'List the alert rules, in the order they are tried',
    status: 200,
    answers: 'rules',
    handle(call) {
      return { status: 200, body: listRules(call.db).map(ruleObject) };
    },
  },
  createRule: {
    method: 'POST',
    path: '/alert-rules',
    scope: 'alert_rules',
    summary: 'Create an alert rule (tried after the existing ones)',
    body: newRuleBody,
    status: 201,
    answers: 'rule',
    handle(call) {
      const { id } = saveRule(call.db, undefined, ruleInput(parseBody(newRuleBody, call.body, 'alertRule')), call.ctx);
      return ruleAnswer(call.db, id, 201);
    },
  },
  readRule: {
    method: 'GET',
    path: '/alert-rules/{id}',
    scope: 'alert_rules',
    summary: 'Read an alert rule',
    status: 200,
    answers: 'rule',
    handle(call) {
      return ruleAnswer(call.db, call.params.id!, 200);
    },
  },
  editRule: {
    method: 'PATCH',
    path: '/alert-rules/{id}',
    scope: 'alert_rules',
    summary: 'Change an alert rule: only the fields sent change',
    body: ruleEditBody,
    ifMatch: true,
    status: 200,
    answers: 'rule',
    handle(call) {
      const id = call.params.id!;
      existingRule(call.db, id);
      const body = parseBody(ruleEditBody, call.body, 'alertRule');
      saveRule(call.db, id, { ...ruleInput(body), version: versionOf(call) }, call.ctx);
      return ruleAnswer(call.db, id, 200);
    },
  },
  deleteRule: {
    method: 'DELETE',
    path: '/alert-rules/{id}',
    scope: 'alert_rules',
    summary: 'Delete an alert rule; its alert groups keep their drafts and incidents',
    ifMatch: true,
    status: 204,
    answers: 'nothing',
    handle(call) {
      const id = call.params.id!;
      existingRule(call.db, id);
      deleteRule(call.db, id, call.ctx, versionOf(call));
      return { status: 204, body: null };
    },
  },
} satisfies Record<string, WriteRoute>;

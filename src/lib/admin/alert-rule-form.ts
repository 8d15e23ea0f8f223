// The alerts page: save, delete or move a rule (admins), and try which rule
// would take an alert's labels (everyone signed in).
import type { Db } from '../../../db/open';
import { requirePermission } from '../auth/staff-access';
import type { SessionUser } from '../auth/sessions';
import { readVersion } from '../edit-version';
import { LOCALES } from '../i18n/messages';
import { deleteRule } from '../alerts/delete-rule';
import { parseLabelLines } from '../alerts/label-lines';
import { moveRule } from '../alerts/move-rule';
import { formatMatcher, listRules, MatchBudget, ruleFor, type AlertRule } from '../alerts/rule';
import { RULE_TEXT_FIELDS } from '../alerts/rule-texts';
import { ruleSchema, saveRule, type RuleInput } from '../alerts/save-rule';
import { actorFor, checked, componentChanges, formInput, optionalText, text } from './form-input';
import { requireConfirmation, type FormOutcome } from './run-form';

/** What "try it" found: the labels as read, and the rule that would take the alert (null: no rule). */
export interface RuleTrial {
  labels: Record<string, string>;
  rule: { id: string; name: string; position: number } | null;
}

/** The form's fields as saveRule reads them; matchers one a line, texts as `texts.<language>.<field>`. */
function readRuleForm(form: FormData, id: string | undefined): RuleInput {
  const values = {
    name: text(form, 'name'),
    matchers: text(form, 'matchers')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean),
    components: componentChanges(form),
    incidentStatus: text(form, 'incidentStatus'),
    impact: text(form, 'impact'),
    action: text(form, 'action'),
    notify: checked(form, 'notify'),
    recovery: text(form, 'recovery'),
    recoveryStatus: text(form, 'recoveryStatus'),
    enabled: checked(form, 'enabled'),
    texts: Object.fromEntries(LOCALES.map((l) => [l, Object.fromEntries(RULE_TEXT_FIELDS.map((f) => [f, text(form, `texts.${l}.${f}`)]))])),
    version: readVersion(text(form, 'version')),
  };
  return formInput(ruleSchema(id), values, 'alertRule');
}

/** Runs the submitted form: where to go next, or what "try it" found. */
export function handleAlertRuleForm(db: Db, form: FormData, user: SessionUser, now: number): FormOutcome<RuleTrial> {
  const intent = text(form, 'intent');
  if (intent === 'try') {
    const labels = parseLabelLines(text(form, 'tryLabels'), 'tryLabels');
    const rule = ruleFor(listRules(db), labels, new MatchBudget());
    return { show: { labels, rule: rule ? { id: rule.id, name: rule.name, position: rule.position } : null } };
  }
  requirePermission(user, 'manage-alert-rules');
  const ctx = { now, actor: actorFor(user) };
  const id = text(form, 'id');
  switch (intent) {
    case 'delete':
      requireConfirmation(form, 'admin.alerts.deleteConfirm', { name: text(form, 'name') });
      deleteRule(db, id, ctx);
      return '/admin/alerts?done=ruleDeleted';
    case 'up':
    case 'down':
      moveRule(db, id, intent, ctx);
      return `/admin/alerts?done=saved#rule-${id}`;
    default: {
      const saved = saveRule(db, optionalText(form, 'id'), readRuleForm(form, optionalText(form, 'id')), ctx);
      return `/admin/alerts?done=saved#rule-${saved.id}`;
    }
  }
}

/** A stored rule as the form's fields, to edit it. */
export function ruleFormValues(rule: AlertRule): Record<string, string> {
  const values: Record<string, string> = {
    intent: 'save',
    id: rule.id,
    version: String(rule.version),
    name: rule.name,
    matchers: rule.matchers.map(formatMatcher).join('\n'),
    incidentStatus: rule.incidentStatus,
    impact: rule.impact,
    action: rule.action,
    notify: rule.notify ? 'on' : '',
    recovery: rule.recovery,
    recoveryStatus: rule.recoveryStatus,
    enabled: rule.enabled ? 'on' : '',
  };
  for (const c of rule.components) values[`component:${c.componentId}`] = c.status;
  for (const locale of LOCALES) for (const f of RULE_TEXT_FIELDS) values[`texts.${locale}.${f}`] = rule.texts[locale]?.[f] ?? '';
  return values;
}

/** A new rule's form: enabled, suggesting, the status and impact a rule starts with. */
export const NEW_RULE_VALUES: Record<string, string> = {
  intent: 'save',
  incidentStatus: 'investigating',
  impact: 'minor',
  action: 'suggest',
  recovery: 'suggest',
  recoveryStatus: 'resolved',
  enabled: 'on',
};

import { and, eq, inArray, isNull, max } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { alertRules, components } from '../../../db/schema';
import { recordAudit } from '../audit/record-audit';
import { assertVersion, assertWritten, versionField } from '../edit-version';
import { fieldIssue, notFound, notSaved, type FieldIssue } from '../errors';
import type { Locale } from '../i18n/messages';
import { newPublicId } from '../ids';
import { ALERT_OPENING_STATUSES, ALERT_RECOVERY_STATUSES, INCIDENT_IMPACTS } from '../status/vocabulary';
import { ALERT_RULE_ACTIONS, ALERT_RULE_RECOVERIES } from '../../../db/vocabulary';
import { keyed, MAX_BODY_CHARS, MAX_NAME_CHARS, nameField, parseInput } from '../validation';
import type { WriteContext } from '../write-context';
import { findRule, formatMatcher, MAX_MATCHER_CHARS, parseMatcher, readMatcher, type AlertRule, type Matcher } from './rule';
import { compactTexts, RULE_VARIABLES, unknownVariables } from './rule-texts';
import { ruleSaveAction } from './rule-autonomy';

/** The statuses an alert can put a component in: an alert says something is wrong. */
export const RULE_COMPONENT_STATUSES = ['degraded_performance', 'partial_outage', 'major_outage'] as const;
/** The vocabulary's own lists: the statuses a rule's incident opens in and recovers to. */
export const RULE_INCIDENT_STATUSES = ALERT_OPENING_STATUSES;
export const RULE_IMPACTS = INCIDENT_IMPACTS;
const RULE_ACTIONS = ALERT_RULE_ACTIONS;
const RULE_RECOVERIES = ALERT_RULE_RECOVERIES;
export const RULE_RECOVERY_STATUSES = ALERT_RECOVERY_STATUSES;
/** More matchers than anyone writes by hand; each is tried on every alert. */
const MAX_MATCHERS = 20;

const pick = (key: Parameters<typeof keyed>[0]) => ({ errorMap: () => ({ message: key }) });
const knownVariables = RULE_VARIABLES.map((v) => `{{${v}}}`).join(', ');
/** A rule's text: a variable outside the list would reach readers braces and all, so it is refused. */
const textField = (maxChars: number, key: 'errors.field.nameTooLong' | 'errors.field.bodyTooLong') =>
  z
    .string()
    .trim()
    .max(maxChars, key)
    .superRefine((text, ctx) => {
      const unknown = unknownVariables(text);
      if (unknown.length > 0)
        ctx.addIssue({
          code: 'custom',
          message: keyed('errors.field.unknownVariable', { names: unknown.map((n) => `{{${n}}}`).join(', '), known: knownVariables }),
        });
    })
    .optional();

const languageTexts = z
  .object({
    name: textField(MAX_NAME_CHARS, 'errors.field.nameTooLong'),
    body: textField(MAX_BODY_CHARS, 'errors.field.bodyTooLong'),
    recovery: textField(MAX_BODY_CHARS, 'errors.field.bodyTooLong'),
  })
  .strict('errors.field.ruleTextUnknown')
  .optional();

/** Each field's validator, shared with the API's body schema so both say the same things. */
export const ruleFields = z.object({
  name: nameField.optional(),
  /** Alertmanager-style matchers as people write them: `service="api"`. */
  matchers: z
    .array(
      z
        .string({ invalid_type_error: 'errors.field.matcherText' })
        .max(MAX_MATCHER_CHARS, keyed('errors.field.matcherTooLong', { max: MAX_MATCHER_CHARS }))
        .superRefine((text, ctx) => {
          const read = readMatcher(text);
          if ('matcher' in read) return;
          const matcher = text.trim() || '""';
          if (read.problem.kind === 'pattern')
            ctx.addIssue({ code: 'custom', message: keyed('errors.field.matcherPattern', { matcher, reason: read.problem.reason }) });
          else ctx.addIssue({ code: 'custom', message: keyed('errors.field.matcherInvalid', { matcher }) });
        }),
      { invalid_type_error: 'errors.field.matcherList' },
    )
    .max(MAX_MATCHERS, 'errors.field.matchersTooMany')
    .optional(),
  components: z
    .array(
      z.object({
        componentId: z.string({ required_error: 'errors.field.pickComponent', invalid_type_error: 'errors.field.pickComponent' }),
        status: z.enum(RULE_COMPONENT_STATUSES, pick('errors.field.pickRuleComponentStatus')),
      }),
      {
        invalid_type_error: 'errors.field.componentList',
      },
    )
    .optional(),
  incidentStatus: z.enum(RULE_INCIDENT_STATUSES, pick('errors.field.pickRuleIncidentStatus')).optional(),
  impact: z.enum(RULE_IMPACTS, pick('errors.field.pickRuleImpact')).optional(),
  action: z.enum(RULE_ACTIONS, pick('errors.field.pickRuleAction')).optional(),
  notify: z.boolean({ invalid_type_error: 'errors.field.yesOrNo' }).optional(),
  recovery: z.enum(RULE_RECOVERIES, pick('errors.field.pickRuleRecovery')).optional(),
  recoveryStatus: z.enum(RULE_RECOVERY_STATUSES, pick('errors.field.pickRuleRecoveryStatus')).optional(),
  enabled: z.boolean({ invalid_type_error: 'errors.field.yesOrNo' }).optional(),
  /** Per language; a text left empty falls back to the built-in one. */
  texts: z
    .object({ en: languageTexts, ja: languageTexts } satisfies Record<Locale, typeof languageTexts>)
    .strict('errors.field.ruleLanguageUnknown')
    .optional(),
  version: versionField,
});

const editSchema = ruleFields;
const createSchema = ruleFields.extend({ name: nameField });
export type RuleInput = z.input<typeof editSchema>;

/** What saveRule checks: a new rule (no id) needs a name, an edit changes only what it names. */
export const ruleSchema = (id: string | undefined) => (id ? editSchema : createSchema);

const DEFAULTS = {
  matchers: [],
  components: [],
  incidentStatus: 'investigating',
  impact: 'minor',
  action: 'suggest',
  notify: false,
  recovery: 'suggest',
  recoveryStatus: 'resolved',
  enabled: true,
} as const;

/** What a rule's edit conflict shows next to what was typed. */
function stored(rule: AlertRule) {
  return { version: rule.version, values: { name: rule.name, matchers: rule.matchers.map(formatMatcher).join('\n') } };
}

/** The rule as the audit log keeps it: matchers written as people write them. */
function auditable(rule: Omit<AlertRule, 'id' | 'createdAt' | 'updatedAt' | 'position'> & Partial<AlertRule>) {
  return { ...rule, matchers: rule.matchers.map(formatMatcher) };
}

/**
 * Creates a rule (without an id, placed last) or edits one: an edit changes
 * only the fields it names, and `texts` replaces all of the rule's texts.
 * Matchers are Alertmanager's, each one checked; components must exist.
 */
export function saveRule(db: Db, id: string | undefined, input: RuleInput, ctx: WriteContext): { id: string; version: number } {
  const data = parseInput(ruleSchema(id), input, 'alertRule');
  const issues: FieldIssue[] = [];
  const matchers = data.matchers?.map((text) => parseMatcher(text)!) satisfies Matcher[] | undefined;
  return db.transaction((tx) => {
    if (data.components) {
      const ids = data.components.map((c) => c.componentId);
      const known = new Set(
        ids.length === 0
          ? []
          : tx
              .select({ id: components.id })
              .from(components)
              .where(and(inArray(components.id, ids), isNull(components.archivedAt)))
              .all()
              .map((c) => c.id),
      );
      const seen = new Set<string>();
      data.components.forEach((c, i) => {
        if (!known.has(c.componentId)) issues.push(fieldIssue(`components.${i}`, 'errors.field.pickComponent'));
        else if (seen.has(c.componentId)) issues.push(fieldIssue(`components.${i}`, 'errors.field.componentTwice'));
        seen.add(c.componentId);
      });
    }
    if (issues.length > 0) throw notSaved('alertRule', issues, { hintListsFields: true });
    const changed = {
      ...(data.name !== undefined ? { name: data.name } : {}),
      ...(matchers !== undefined ? { matchers } : {}),
      ...(data.components !== undefined ? { components: data.components } : {}),
      ...(data.incidentStatus !== undefined ? { incidentStatus: data.incidentStatus } : {}),
      ...(data.impact !== undefined ? { impact: data.impact } : {}),
      ...(data.action !== undefined ? { action: data.action } : {}),
      ...(data.notify !== undefined ? { notify: data.notify } : {}),
      ...(data.recovery !== undefined ? { recovery: data.recovery } : {}),
      ...(data.recoveryStatus !== undefined ? { recoveryStatus: data.recoveryStatus } : {}),
      ...(data.enabled !== undefined ? { enabled: data.enabled } : {}),
      ...(data.texts !== undefined ? { texts: compactTexts(data.texts) } : {}),
    };
    if (id) {
      const before = findRule(tx, id);
      if (!before) throw notFound('alertRule', id);
      assertVersion(data.version, stored(before));
      const after = { ...before, ...changed, version: before.version + 1, updatedAt: ctx.now };
      const changes = tx
        .update(alertRules)
        .set({ ...columns(after), version: after.version, updatedAt: ctx.now })
        .where(and(eq(alertRules.id, id), eq(alertRules.version, before.version)))
        .run().changes;
      assertWritten(changes, () => stored(findRule(tx, id)!));
      recordAudit(tx, ctx, {
        action: ruleSaveAction('edit', after),
        entityType: 'alert_rule',
        entityId: id,
        before: auditable(before),
        after: auditable(after),
      });
      return { id, version: after.version };
    }
    const newId = newPublicId();
    const last =
      tx
        .select({ n: max(alertRules.position) })
        .from(alertRules)
        .get()?.n ?? 0;
    const rule = {
      ...DEFAULTS,
      ...changed,
      name: data.name!,
      texts: changed.texts ?? {},
      matchers: changed.matchers ?? [],
      components: changed.components ?? [],
    };
    tx.insert(alertRules)
      .values({ id: newId, ...columns(rule), position: last + 1, version: 1, createdAt: ctx.now, updatedAt: ctx.now })
      .run();
    recordAudit(tx, ctx, { action: ruleSaveAction('create', rule), entityType: 'alert_rule', entityId: newId, after: auditable({ ...rule, version: 1 }) });
    return { id: newId, version: 1 };
  });
}

/** A rule's fields as the table stores them (JSON for the lists and texts). */
function columns(
  rule: Pick<
    AlertRule,
    'name' | 'matchers' | 'components' | 'incidentStatus' | 'impact' | 'action' | 'notify' | 'recovery' | 'recoveryStatus' | 'enabled' | 'texts'
  >,
) {
  return {
    name: rule.name,
    matchers: JSON.stringify(rule.matchers),
    components: JSON.stringify(rule.components),
    incidentStatus: rule.incidentStatus,
    impact: rule.impact,
    action: rule.action,
    notify: rule.notify,
    recovery: rule.recovery,
    recoveryStatus: rule.recoveryStatus,
    enabled: rule.enabled,
    texts: Object.keys(rule.texts).length > 0 ? JSON.stringify(rule.texts) : null,
  };
}

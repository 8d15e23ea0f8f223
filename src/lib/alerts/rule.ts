// An alert rule as the rest of Shirase reads it, and how its matchers decide
// whether an alert belongs to it. Matchers follow Alertmanager's own syntax
// (`service="api"`, `severity!="info"`, `instance=~"web-.*"`), so people can
// copy them from their routing tree.
import { asc, eq } from 'drizzle-orm';
import { alertRules } from '../../../db/schema';
import type { Queryable } from '../incidents/log';
import type { ALERT_OPENING_STATUSES, ALERT_RECOVERY_STATUSES, ComponentStatus } from '../status/vocabulary';
import type { Locale } from '../i18n/messages';

type MatcherOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  label: string;
  op: MatcherOp;
  value: string;
}

/** The texts a rule writes, per language, with template variables; any missing one falls back to the built-in text. */
export interface RuleTexts {
  name?: string;
  body?: string;
  recovery?: string;
}

export interface AlertRule {
  id: string;
  name: string;
  matchers: Matcher[];
  components: { componentId: string; status: ComponentStatus }[];
  incidentStatus: (typeof ALERT_OPENING_STATUSES)[number];
  impact: 'none' | 'minor' | 'major' | 'critical';
  action: 'suggest' | 'publish';
  notify: boolean;
  recovery: 'suggest' | 'apply';
  recoveryStatus: (typeof ALERT_RECOVERY_STATUSES)[number];
  texts: Partial<Record<Locale, RuleTexts>>;
  position: number;
  enabled: boolean;
  version: number;
  createdAt: number;
  updatedAt: number;
}

function toRule(row: typeof alertRules.$inferSelect): AlertRule {
  return {
    ...row,
    matchers: JSON.parse(row.matchers) as Matcher[],
    components: JSON.parse(row.components) as AlertRule['components'],
    texts: row.texts ? (JSON.parse(row.texts) as AlertRule['texts']) : {},
  };
}

/** Every rule in the order they are tried. */
export function listRules(db: Queryable): AlertRule[] {
  return db.select().from(alertRules).orderBy(asc(alertRules.position), asc(alertRules.createdAt)).all().map(toRule);
}

export function findRule(db: Queryable, id: string): AlertRule | undefined {
  const row = db.select().from(alertRules).where(eq(alertRules.id, id)).get();
  return row ? toRule(row) : undefined;
}

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^\s",]*))\s*$/;

/** Reads one matcher as Alertmanager writes it; null when it is not one. */
export function parseMatcher(text: string): Matcher | null {
  const m = MATCHER.exec(text);
  if (!m) return null;
  const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[4]!;
  const matcher = { label: m[1]!, op: m[2] as MatcherOp, value };
  if ((matcher.op === '=~' || matcher.op === '!~') && !validPattern(matcher.value)) return null;
  return matcher;
}

/** A matcher as people type it: `service="api"`. */
export function formatMatcher(m: Matcher): string {
  return `${m.label}${m.op}"${m.value.replace(/(["\\])/g, '\\$1')}"`;
}

function validPattern(value: string): boolean {
  try {
    new RegExp(`^(?:${value})$`);
    return true;
  } catch {
    return false;
  }
}

/** As in Alertmanager, a regular expression must match the whole value, and a missing label is the empty string. */
export function matcherHolds(m: Matcher, labels: Record<string, string>): boolean {
  const value = Object.hasOwn(labels, m.label) ? labels[m.label]! : '';
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(value);
    case '!~':
      return !new RegExp(`^(?:${m.value})$`).test(value);
  }
}

/** The first enabled rule whose every matcher holds for these labels; a rule without matchers takes every alert. */
export function ruleFor(rules: readonly AlertRule[], labels: Record<string, string>): AlertRule | undefined {
  return rules.find((r) => r.enabled && r.matchers.every((m) => matcherHolds(m, labels)));
}

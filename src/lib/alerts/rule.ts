// An alert rule as the rest of Shirase reads it, and how its matchers decide
// whether an alert belongs to it. Matchers follow Alertmanager's own syntax
// (`service="api"`, `severity!="info"`, `instance=~"web-.*"`), so people can
// copy them from their routing tree. Regular expressions are RE2's, as in
// Alertmanager: matched by re2js in time linear in the label value, never by
// JavaScript's backtracking RegExp, since rules and labels both come from
// outside.
import { asc, eq } from 'drizzle-orm';
import { RE2JS } from 're2js';
import { alertRules } from '../../../db/schema';
import type { Queryable } from '../incidents/log';
import type { ALERT_OPENING_STATUSES, ALERT_RECOVERY_STATUSES, ComponentStatus } from '../status/vocabulary';
import type { Locale } from '../i18n/messages';
import { ShiraseError } from '../errors';

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

/** Tried on the trimmed text, so no two runs of spaces meet (which would backtrack). */
const MATCHER = /^([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^\s",]*))$/;

/** Longer than any matcher people write; the pattern's compiled size is bounded too (below). */
export const MAX_MATCHER_CHARS = 1000;
/**
 * RE2 instructions a pattern may compile to. Matching costs up to this much
 * per character of the label value: `web-.*` is 10, `[a-z]{0,100}` about 200.
 */
const MAX_PATTERN_INSTRUCTIONS = 1000;

/** Why a matcher's text cannot be used: not a matcher at all, or a pattern RE2 refuses (with RE2's reason). */
export type MatcherProblem = { kind: 'syntax' } | { kind: 'pattern'; reason: string };

/** Reads one matcher as Alertmanager writes it, or says why it cannot. */
export function readMatcher(text: string): { matcher: Matcher } | { problem: MatcherProblem } {
  if (text.length > MAX_MATCHER_CHARS) return { problem: { kind: 'syntax' } };
  const m = MATCHER.exec(text.trim());
  if (!m) return { problem: { kind: 'syntax' } };
  const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[4]!;
  const matcher = { label: m[1]!, op: m[2] as MatcherOp, value };
  if (matcher.op === '=~' || matcher.op === '!~') {
    const refused = patternProblem(matcher.value);
    if (refused) return { problem: { kind: 'pattern', reason: refused } };
  }
  return { matcher };
}

/** Reads one matcher as Alertmanager writes it; null when it is not one. */
export function parseMatcher(text: string): Matcher | null {
  const read = readMatcher(text);
  return 'matcher' in read ? read.matcher : null;
}

/** A matcher as people type it: `service="api"`. */
export function formatMatcher(m: Matcher): string {
  return `${m.label}${m.op}"${m.value.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * RE2 work one delivery (or one "Try it") may spend on matching, counted as
 * each pattern's instructions times the characters of the value it is tried
 * on: RE2's bound on its work. Every matcher is linear, but rules × matchers
 * × alerts are not bounded by one field; this is, at about half a second of
 * one render thread at worst. Alertmanager's own deliveries (hundreds of
 * alerts, patterns of a few dozen instructions, short values) spend a small
 * part of it.
 */
export const MATCH_BUDGET = 10_000_000;

/** What is left of MATCH_BUDGET for one delivery; spending past it refuses the delivery (413) before anything is written. */
export class MatchBudget {
  private left = MATCH_BUDGET;

  spend(work: number): void {
    this.left -= work;
    if (this.left < 0) throw new ShiraseError('PAYLOAD_TOO_LARGE', 'errors.alerts.matchingBudget');
  }
}

interface CompiledPattern {
  re: RE2JS;
  instructions: number;
}

/** Patterns by their text, compiled or refused: a flood of alerts tries the same few rules thousands of times. */
const compiled = new Map<string, CompiledPattern | string>();
const MAX_COMPILED = 500;

/**
 * The pattern anchored as Alertmanager anchors it (the whole value must
 * match), or RE2's reason for refusing it: a backreference, lookaround, a
 * repeat past 1000, or a program too large to try on every alert.
 */
function compilePattern(value: string): CompiledPattern | string {
  let pattern = compiled.get(value);
  if (pattern === undefined) {
    try {
      // On its own first: `a)|(b` compiles inside the anchors but would escape them.
      RE2JS.compile(value);
      const anchored = RE2JS.compile(`^(?:${value})$`);
      // The instruction count is re2js's own measure of the compiled program.
      const size = anchored.re2Input.prog.numInst() as number;
      pattern =
        size > MAX_PATTERN_INSTRUCTIONS
          ? `expression too large (${size} instructions, at most ${MAX_PATTERN_INSTRUCTIONS})`
          : { re: anchored, instructions: size };
    } catch (e) {
      pattern = e instanceof Error ? e.message : String(e);
    }
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    compiled.set(value, pattern);
  }
  return pattern;
}

function patternProblem(value: string): string | null {
  const pattern = compilePattern(value);
  return typeof pattern === 'string' ? pattern : null;
}

/** As in Alertmanager, a regular expression must match the whole value, and a missing label is the empty string. */
export function matcherHolds(m: Matcher, labels: Record<string, string>, budget?: MatchBudget): boolean {
  const value = Object.hasOwn(labels, m.label) ? labels[m.label]! : '';
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
    case '!~': {
      // A stored pattern RE2 refuses (saved before RE2 was the syntax) holds for no alert, so its rule takes none.
      const pattern = compilePattern(m.value);
      if (typeof pattern === 'string') return false;
      budget?.spend(pattern.instructions * Math.max(1, value.length));
      return pattern.re.matches(value) === (m.op === '=~');
    }
  }
}

/** The first enabled rule whose every matcher holds for these labels; a rule without matchers takes every alert. */
export function ruleFor(rules: readonly AlertRule[], labels: Record<string, string>, budget?: MatchBudget): AlertRule | undefined {
  return rules.find((r) => r.enabled && r.matchers.every((m) => matcherHolds(m, labels, budget)));
}

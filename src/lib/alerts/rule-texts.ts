// What a rule's texts may say: the variables filled in from the alerts when the
// rule writes its draft or incident. A name outside this list would reach
// readers as typed, braces and all, so saving a rule refuses it.
import { LOCALES, type Locale } from '../i18n/messages';
import { scanPlaceholders } from '../templates/placeholders';
import { ALERT_TEMPLATE_VARIABLES } from './alert-texts';
import type { RuleTexts } from './rule';

export const RULE_VARIABLES = ALERT_TEMPLATE_VARIABLES;

export const RULE_TEXT_FIELDS = ['name', 'body', 'recovery'] as const satisfies readonly (keyof RuleTexts)[];

/** The variable names a text uses that are not in RULE_VARIABLES, each once, in order. */
export function unknownVariables(text: string): string[] {
  const unknown = new Set<string>();
  for (const { name } of scanPlaceholders(text)) if (!(RULE_VARIABLES as readonly string[]).includes(name)) unknown.add(name);
  return [...unknown];
}

/** Keeps only the texts that say something, so an empty one falls back to the built-in text. */
export function compactTexts(texts: Partial<Record<Locale, RuleTexts>> | undefined): Partial<Record<Locale, RuleTexts>> {
  const out: Partial<Record<Locale, RuleTexts>> = {};
  for (const locale of LOCALES) {
    const kept = Object.fromEntries(RULE_TEXT_FIELDS.map((f) => [f, texts?.[locale]?.[f]?.trim()]).filter(([, v]) => v)) as RuleTexts;
    if (Object.keys(kept).length > 0) out[locale] = kept;
  }
  return out;
}

// Template variables: `{{name}}` (spaces inside the braces allowed) replaced
// by a plain text lookup. Nothing is evaluated; a name that is not listed
// here is left as typed, so a misspelling shows up in the form.
import { formatDateTime, zoneAbbreviation } from '../i18n/format';
import type { Locale } from '../i18n/messages';
import { replacePlaceholders } from './placeholders';

export const TEMPLATE_VARIABLES = ['components', 'started_at', 'ended_at', 'now'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

export function fillTemplate(text: string, values: Readonly<Partial<Record<string, string>>>): string {
  return replacePlaceholders(text, (name) => (Object.hasOwn(values, name) ? values[name] : undefined));
}

/** What the variables stand for, from what is known when the template is used. */
export interface TemplateFacts {
  /** Component names in the template's language; none leaves `{{components}}` as typed. */
  components: string[];
  startedAt: number | null;
  endedAt: number | null;
  now: number;
}

function when(ms: number, locale: Locale, timeZone: string): string {
  return `${formatDateTime(ms, locale, timeZone)} ${zoneAbbreviation(ms, timeZone)}`;
}

/** The variables' texts in one language, times in the site's zone with the zone named. */
export function templateValues(facts: TemplateFacts, locale: Locale, timeZone: string): Partial<Record<TemplateVariable, string>> {
  return {
    ...(facts.components.length > 0 ? { components: facts.components.join(locale === 'ja' ? '、' : ', ') } : {}),
    ...(facts.startedAt !== null ? { started_at: when(facts.startedAt, locale, timeZone) } : {}),
    ended_at: when(facts.endedAt ?? facts.now, locale, timeZone),
    now: when(facts.now, locale, timeZone),
  };
}

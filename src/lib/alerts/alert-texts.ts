// The texts an alert's incident is written with: the rule's own, per
// language, or the built-in ones, with template variables filled in from the
// alerts and the rule's components. Every language is filled, so Japanese
// readers of an incident opened by an alert read Japanese.
import type { Db } from '../../../db/open';
import { LOCALES, t, type Locale } from '../i18n/messages';
import { fillTemplate, templateValues } from '../templates/fill-template';
import { findComponent } from '../components/load-components';
import type { AlertRule, RuleTexts } from './rule';
import { trimTrailing } from '../text/trim-trailing';

export const ALERT_TEMPLATE_VARIABLES = ['alert_name', 'alert_summary', 'alert_count', 'components', 'started_at', 'ended_at', 'now'] as const;

export interface AlertFacts {
  /** The alerts of the group, firing first; at least one. */
  alerts: { name: string; summary: string | null }[];
  componentIds: string[];
  startedAt: number;
  endedAt: number | null;
  now: number;
}

type TextKind = keyof RuleTexts | 'append';

const BUILT_IN = {
  name: 'alerts.text.name',
  nameWithComponents: 'alerts.text.nameWithComponents',
  body: 'alerts.text.body',
  recovery: 'alerts.text.recovery',
  append: 'alerts.text.append',
} as const;

function values(db: Db, facts: AlertFacts, locale: Locale, timeZone: string): Record<string, string> {
  const names = facts.componentIds.map((id) => findComponent(db, id, facts.now, locale)?.name).filter((n): n is string => n !== undefined);
  const first = facts.alerts[0]!;
  const alertNames = [...new Set(facts.alerts.map((a) => a.name))];
  // The texts end their own sentences: a summary's own full stop would make two.
  const summaries = [...new Set(facts.alerts.map((a) => trimTrailing((a.summary ?? a.name).trim(), (c) => c === '.' || c === '。')))];
  return {
    ...templateValues({ components: names, startedAt: facts.startedAt, endedAt: facts.endedAt, now: facts.now }, locale, timeZone),
    alert_name: alertNames.length > 1 ? alertNames.join(locale === 'ja' ? '、' : ', ') : first.name,
    alert_summary: summaries.join(locale === 'ja' ? '。' : '; '),
    alert_count: String(facts.alerts.length),
  };
}

function builtIn(kind: TextKind, locale: Locale, hasComponents: boolean): string {
  if (kind === 'name') return t(locale, hasComponents ? BUILT_IN.nameWithComponents : BUILT_IN.name);
  return t(locale, BUILT_IN[kind]);
}

/** One text in every language: the default language's as `text`, the others as translations. */
export function alertText(
  db: Db,
  rule: AlertRule | undefined,
  kind: TextKind,
  facts: AlertFacts,
  site: { defaultLocale: Locale; timeZone: string },
): { text: string; translations: Partial<Record<Locale, string>> } {
  const filled = (locale: Locale) => {
    const own = kind === 'append' ? undefined : rule?.texts[locale]?.[kind]?.trim();
    const filledWith = (template: string) =>
      fillTemplate(template, values(db, facts, locale, site.timeZone))
        .trim()
        .slice(0, kind === 'name' ? 200 : 20_000);
    // A text that fills to nothing (an alert without a name) would be refused and the delivery lost: the built-in text, then a plain word, stand in.
    return filledWith(own || '') || filledWith(builtIn(kind, locale, facts.componentIds.length > 0)) || t(locale, 'alerts.text.untitled');
  };
  const others = LOCALES.filter((l) => l !== site.defaultLocale);
  return { text: filled(site.defaultLocale), translations: Object.fromEntries(others.map((l) => [l, filled(l)])) };
}

import type { Db } from '../../../db/open';
import { LOCALES, type Locale } from '../i18n/messages';
import { parseTranslations } from '../i18n/translations';
import { loadIncident } from '../incidents/load-incidents';
import { fillTemplate, templateValues } from './fill-template';
import { listTemplates } from './list-templates';

/** A template as the update form offers it: its texts with the variables filled in. */
export interface FilledTemplate {
  id: string;
  name: string;
  status: string;
  /** In the site's default language, the language templates are written in. */
  body: string;
  /** The same text in each other language; empty where the template has none. */
  translations: Partial<Record<Locale, string>>;
}

/**
 * Every template filled in for one incident (or for none yet: then only the
 * times that exist are known): component names in each text's language,
 * times in the site's zone.
 */
export function filledTemplates(db: Db, options: { defaultLocale: Locale; timeZone: string; now: number; incidentId?: string }): FilledTemplate[] {
  const values = Object.fromEntries(
    LOCALES.map((locale) => {
      const incident = options.incidentId ? loadIncident(db, options.incidentId, locale) : undefined;
      const facts = {
        components: incident?.components.map((c) => c.name) ?? [],
        startedAt: incident?.startedAt ?? null,
        endedAt: incident?.resolvedAt ?? null,
        now: options.now,
      };
      return [locale, templateValues(facts, locale, options.timeZone)];
    }),
  ) as Record<Locale, ReturnType<typeof templateValues>>;
  return listTemplates(db).map((tpl) => {
    const translations = parseTranslations(tpl.translations);
    const others = LOCALES.filter((l) => l !== options.defaultLocale);
    return {
      id: tpl.id,
      name: tpl.name,
      status: tpl.status,
      body: fillTemplate(tpl.body, values[options.defaultLocale]),
      translations: Object.fromEntries(others.map((l) => [l, fillTemplate(translations[l]?.body ?? '', values[l])])),
    };
  });
}

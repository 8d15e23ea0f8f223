// Template variables are filled when a text is published, whatever sent it:
// a form with or without script, the write API, a draft, an alert rule. The
// form fills what it knows when a template is chosen, but it cannot know the
// components picked after, and a text typed by hand or sent by a script may
// hold `{{components}}` too: without this, the braces reached the status
// page, feeds, mail and webhooks.
import { eq } from 'drizzle-orm';
import { incidentComponents, incidents } from '../../../db/schema';
import { namesInPageOrder } from '../components/load-components';
import type { Queryable, Tx } from '../incidents/log';
import { isLocale, type Locale } from '../i18n/messages';
import { parseTranslations, translated, type Translations } from '../i18n/translations';
import { readSiteSettings } from '../site/site-settings';
import { isClosedStatus } from '../status/vocabulary';
import { fillTemplate, templateValues, TEMPLATE_VARIABLES } from './fill-template';
import { scanPlaceholders } from './placeholders';

/** The site's zone and language, in which a write fills times and names into text. */
export interface SiteForText {
  timeZone: string;
  /** The language of an update's base text; translations carry the others. */
  defaultLocale: Locale;
}

/** Where the writer did not say: what staff set under Admin → Settings, else UTC and English (times always name their zone). */
function siteOf(tx: Tx, site: SiteForText | undefined): SiteForText {
  if (site) return site;
  const row = readSiteSettings(tx);
  return { timeZone: row?.timeZone ?? 'UTC', defaultLocale: row?.defaultLocale && isLocale(row.defaultLocale) ? row.defaultLocale : 'en' };
}

const holdsVariable = (text: string | undefined) =>
  text !== undefined && text.includes('{{') && scanPlaceholders(text).some((p) => (TEMPLATE_VARIABLES as readonly string[]).includes(p.name));

/** What the variables say about one incident, before the languages: component names are said per language. */
export interface IncidentFacts {
  components: { name: string; translations: string | null }[];
  startedAt: number | null;
  endedAt: number | null;
  /** The update's own time. */
  at: number;
}

/**
 * The facts as a write leaves the incident (with `alsoComponents`, as a form
 * about to link them would): the components it affects, when
 * it started (a maintenance: its window), when it ended (this update, if it
 * closes it), and the update's own time. Undefined for an unknown incident.
 */
export function incidentFacts(
  tx: Queryable,
  incidentId: string,
  status: string,
  at: number,
  alsoComponents: readonly string[] = [],
): IncidentFacts | undefined {
  const incident = tx
    .select({
      kind: incidents.kind,
      startedAt: incidents.startedAt,
      resolvedAt: incidents.resolvedAt,
      scheduledFor: incidents.scheduledFor,
      scheduledUntil: incidents.scheduledUntil,
    })
    .from(incidents)
    .where(eq(incidents.id, incidentId))
    .get();
  if (!incident) return undefined;
  const linked = tx
    .select({ id: incidentComponents.componentId })
    .from(incidentComponents)
    .where(eq(incidentComponents.incidentId, incidentId))
    .all()
    .map((c) => c.id);
  const maintenance = incident.kind === 'maintenance';
  return {
    components: namesInPageOrder(tx, [...new Set([...linked, ...alsoComponents])]),
    startedAt: maintenance ? (incident.scheduledFor ?? incident.startedAt) : incident.startedAt,
    endedAt: isClosedStatus(status) ? at : maintenance ? incident.scheduledUntil : incident.resolvedAt,
    at,
  };
}

/** A text with the variables filled in one language, times in the site's zone with the zone named. */
export function fillForLocale(text: string, facts: IncidentFacts, locale: Locale, timeZone: string): string {
  const values = templateValues(
    {
      components: facts.components.map((c) => translated(parseTranslations(c.translations), locale, 'name', c.name)),
      startedAt: facts.startedAt,
      endedAt: facts.endedAt,
      now: facts.at,
    },
    locale,
    timeZone,
  );
  return fillTemplate(text, values);
}

/**
 * An update's text and translations with the template variables filled in
 * from the incident as this write leaves it (see incidentFacts), the base
 * text in the site's language and each translation in its own. Texts with
 * no variable are returned as they are.
 */
export function fillPublishedText(
  tx: Tx,
  incidentId: string,
  text: { body: string; translations?: Translations; status: string; at: number },
  site?: SiteForText,
): { body: string; translations?: Translations } {
  const locales = Object.keys(text.translations ?? {}) as Locale[];
  if (!holdsVariable(text.body) && !locales.some((l) => holdsVariable(text.translations?.[l]?.body))) return text;
  const facts = incidentFacts(tx, incidentId, text.status, text.at);
  if (!facts) return text;
  const { timeZone, defaultLocale } = siteOf(tx, site);
  const translations =
    text.translations &&
    Object.fromEntries(locales.map((l) => [l, { ...text.translations![l], body: fillForLocale(text.translations![l]?.body ?? '', facts, l, timeZone) }]));
  return { body: fillForLocale(text.body, facts, defaultLocale, timeZone), ...(translations ? { translations } : {}) };
}

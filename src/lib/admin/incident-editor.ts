import type { Db } from '../../../db/open';
import { loadComponentTree } from '../components/load-components';
import { loadIncident } from '../incidents/load-incidents';
import { isPublicId } from '../ids';
import { eq } from 'drizzle-orm';
import { incidents, incidentUpdates } from '../../../db/schema';
import { upcomingOccurrences } from '../maintenance/edit-series';
import { incidentCadenceClock } from '../cadence/cadence-clock';
import { isClosedStatus } from '../status/vocabulary';
import { parseTranslations } from '../i18n/translations';
import { LOCALES, type Locale } from '../i18n/messages';

function updateTranslationFields(db: Db, incidentId: string): Map<string, Record<string, string>> {
  const rows = db
    .select({ id: incidentUpdates.id, translations: incidentUpdates.translations })
    .from(incidentUpdates)
    .where(eq(incidentUpdates.incidentId, incidentId))
    .all();
  return new Map(
    rows.map((r) => [
      r.id,
      Object.fromEntries(Object.entries(parseTranslations(r.translations)).map(([locale, fields]) => [`body-${r.id}:${locale}`, fields?.body ?? ''])),
    ]),
  );
}

/**
 * What readers of each other language read where it differs from the text as
 * written: the incident's name and each update's text, chosen as the public
 * pages choose them, so staff check the words those readers get.
 */
function inOtherLanguages(db: Db, id: string, baseLocale: Locale, base: { name: string; updates: { id: string; body: string }[] }) {
  const names: { locale: Locale; name: string }[] = [];
  const bodies = new Map<string, { locale: Locale; body: string }[]>();
  const written = new Map(base.updates.map((u) => [u.id, u.body]));
  for (const locale of LOCALES.filter((l) => l !== baseLocale)) {
    const read = loadIncident(db, id, locale);
    if (!read) continue;
    if (read.name !== base.name) names.push({ locale, name: read.name });
    for (const u of read.updates) {
      if (u.body === written.get(u.id)) continue;
      bodies.set(u.id, [...(bodies.get(u.id) ?? []), { locale, body: u.body }]);
    }
  }
  return { names, bodies };
}

/** The repeating series a window belongs to: its first and last window and how many have not started. */
function seriesOf(db: Db, incidentId: string): { total: number; first: number; last: number; upcoming: number } | null {
  const seriesId = db.select({ seriesId: incidents.seriesId }).from(incidents).where(eq(incidents.id, incidentId)).get()?.seriesId;
  if (!seriesId) return null;
  const starts = db
    .select({ start: incidents.scheduledFor })
    .from(incidents)
    .where(eq(incidents.seriesId, seriesId))
    .all()
    .map((r) => r.start!);
  return { total: starts.length, first: Math.min(...starts), last: Math.max(...starts), upcoming: upcomingOccurrences(db, seriesId).length };
}

/** Everything the incident page in the admin shows, or undefined for an unknown id. */
export function buildIncidentEditor(db: Db, id: string, now: number, baseLocale: Locale) {
  if (!isPublicId(id)) return undefined;
  const incident = loadIncident(db, id);
  if (!incident) return undefined;
  const tree = loadComponentTree(db, now);
  const affected = new Set(incident.components.map((c) => c.id));
  const cadenceMinutes = db.select({ minutes: incidents.updateCadenceMinutes }).from(incidents).where(eq(incidents.id, id)).get()!.minutes;
  return {
    incident,
    /** Open incidents only (maintenance has none): the update cadence and how the silence measures against it. */
    cadence: incident.kind === 'incident' && !isClosedStatus(incident.status) ? incidentCadenceClock(incident, cadenceMinutes, now) : null,
    // Affected components first: they are the ones an update usually changes.
    components: [...tree.all.filter((c) => affected.has(c.id)), ...tree.all.filter((c) => !affected.has(c.id))],
    updatesNewestFirst: [...incident.updates].reverse(),
    /** Each update's texts in other languages, as the correction form's fields (`body-<id>:ja`). */
    updateTranslations: updateTranslationFields(db, id),
    /** The name and texts in the other languages that have their own, for the timeline to show beside the original. */
    otherLanguages: inOtherLanguages(db, id, baseLocale, incident),
    series: seriesOf(db, id),
  };
}

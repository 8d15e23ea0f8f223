// The hint under an update's time: where a back-dated update lands and what
// the incident's status will be, worked out by the rule the save applies.
import type { FieldIssue } from '../errors';
import { placeUpdate } from '../incidents/placement';
import { formatDateTime, zoneAbbreviation } from '../i18n/format';
import { t, type Locale } from '../i18n/messages';
import { isPostableStatus, type IncidentKind } from '../status/vocabulary';
import { deriveIncidentTimes, type TimelineEntry } from '../status/incident-status';
import { localDateTime } from './form-input';

/** The sentence to show, or null when the update would be the latest (or the time or status is unreadable). */
export function placementHint(
  incident: { kind: IncidentKind; updates: readonly TimelineEntry[] },
  chosen: { status: string; displayAt: string },
  locale: Locale,
  timeZone: string,
): string | null {
  const chosenStatus = chosen.status;
  if (!isPostableStatus(incident.kind, chosenStatus)) return null;
  const form = new FormData();
  form.set('displayAt', chosen.displayAt);
  const issues: FieldIssue[] = [];
  const displayAt = localDateTime(form, 'displayAt', timeZone, issues);
  if (displayAt === undefined) return null;
  const current = deriveIncidentTimes(incident.updates, null, 0).status;
  const { status, placedBefore } = placeUpdate(incident.updates, { status: chosenStatus, displayAt });
  if (!placedBefore) return null;
  const time = `${formatDateTime(placedBefore.displayAt, locale, timeZone)} ${zoneAbbreviation(placedBefore.displayAt, timeZone)}`;
  return t(locale, status === current ? 'admin.update.placedBefore' : 'admin.update.placedBeforeBecomes', {
    time,
    status: t(locale, `status.update.${status}`),
  });
}

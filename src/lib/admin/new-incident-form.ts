// Opening an incident: name, first update, component statuses, and times read in the page's zone.
import type { Db } from '../../../db/open';
import type { SessionUser } from '../auth/sessions';
import type { FieldIssue } from '../errors';
import type { OpenIncidentInput } from '../incidents/input';
import { openIncident } from '../incidents/open-incident';
import { actorFor, checked, componentChanges, localDateTime, text, throwIfIssues, translationsFrom } from './form-input';
import type { FormOutcome } from './run-form';

function readNewIncidentForm(form: FormData, timeZone: string): OpenIncidentInput {
  const issues: FieldIssue[] = [];
  const displayAt = localDateTime(form, 'displayAt', timeZone, issues);
  const startedAt = localDateTime(form, 'startedAt', timeZone, issues);
  throwIfIssues(issues, 'incident');
  const impact = text(form, 'impact');
  return {
    name: text(form, 'name'),
    status: text(form, 'status') as OpenIncidentInput['status'],
    body: text(form, 'body'),
    components: componentChanges(form),
    // `auto` (or nothing) leaves the impact to be worked out from component statuses.
    impact: impact === '' || impact === 'auto' ? undefined : (impact as OpenIncidentInput['impact']),
    displayAt,
    startedAt,
    notify: checked(form, 'notify'),
    translations: translationsFrom(form, ['name', 'body']),
  };
}

export function handleNewIncidentForm(db: Db, form: FormData, user: SessionUser, now: number, timeZone: string): FormOutcome<never> {
  const { incidentId } = openIncident(db, readNewIncidentForm(form, timeZone), { now, actor: actorFor(user) });
  return `/admin/incidents/${incidentId}?done=opened`;
}

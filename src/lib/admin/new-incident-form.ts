// Opening an incident: name, first update, component statuses, and times read in the page's zone.
// The same form saves, publishes and deletes drafts, chosen by the button pressed (`intent`).
import type { Db } from '../../../db/open';
import type { SessionUser } from '../auth/sessions';
import type { FieldIssue } from '../errors';
import { openIncidentSchema } from '../incidents/input';
import { draftInputSchema } from '../drafts/draft-input';
import { openIncident } from '../incidents/open-incident';
import { saveDraft } from '../drafts/save-draft';
import { deleteDraft } from '../drafts/delete-draft';
import { publishDraft } from '../drafts/publish-draft';
import type { DraftView } from '../drafts/load-drafts';
import { readVersion } from '../edit-version';
import { actorFor, checked, componentChanges, formInput, localDateTime, optionalText, text, toLocalInput, translationsFrom } from './form-input';
import { requireConfirmation, type FormOutcome } from './run-form';
import type { SiteForText } from '../templates/fill-published';
import { applyTemplate, templateRequest, type TemplateStep } from './template-apply';
import type { FilledTemplate } from '../templates/filled-templates';

/** The form's fields as plain values, and the dates it could not read; the schema of the verb they go to says the rest. */
function readNewIncidentForm(form: FormData, timeZone: string): { values: Record<string, unknown>; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const displayAt = localDateTime(form, 'displayAt', timeZone, issues);
  const startedAt = localDateTime(form, 'startedAt', timeZone, issues);
  const impact = text(form, 'impact');
  const backfilled = checked(form, 'backfilled');
  const values = {
    name: text(form, 'name'),
    page: text(form, 'page') || undefined,
    status: text(form, 'status'),
    body: text(form, 'body'),
    components: componentChanges(form),
    // `auto` (or nothing) leaves the impact to be worked out from component statuses.
    impact: impact === '' || impact === 'auto' ? undefined : impact,
    displayAt,
    startedAt,
    backfilled,
    // A write-up tells nobody, whatever the (disabled) notify box sent.
    notify: !backfilled && checked(form, 'notify'),
    translations: translationsFrom(form, ['name', 'body']),
  };
  return { values, issues };
}

export function handleNewIncidentForm(
  db: Db,
  form: FormData,
  user: SessionUser,
  now: number,
  site: SiteForText,
  templates: () => readonly FilledTemplate[],
): FormOutcome<{ template?: TemplateStep }> {
  // "Use this template" without script: the form comes back filled in (or asks first), nothing saved.
  if (templateRequest(form)) return { show: { template: applyTemplate(form, templates(), 'body', site.defaultLocale) } };
  const { timeZone } = site;
  const ctx = { now, actor: actorFor(user), site };
  const draftId = optionalText(form, 'draftId');
  const version = readVersion(form.get('draftVersion'));
  switch (text(form, 'intent')) {
    case 'draft': {
      // A draft is unfinished: it is read by the draft's own schema, which checks only sizes and shapes.
      const { values, issues } = readNewIncidentForm(form, timeZone);
      const draft = formInput(draftInputSchema, values, 'draft', issues);
      const saved = saveDraft(db, { draftId, version, draft }, ctx);
      return `/admin/incidents/new?draft=${saved.draftId}&done=drafted`;
    }
    case 'delete_draft':
      requireConfirmation(form, 'admin.draft.deleteConfirm');
      deleteDraft(db, draftId ?? '', version, ctx);
      return '/admin?done=draftDeleted';
    default: {
      const { values, issues } = readNewIncidentForm(form, timeZone);
      const input = formInput(openIncidentSchema(now), values, 'incident', issues);
      const { incidentId } = draftId ? publishDraft(db, draftId, { version, notify: input.notify, input }, ctx) : openIncident(db, input, ctx);
      return `/admin/incidents/${incidentId}?done=opened`;
    }
  }
}

/** A stored draft as the form's fields, times in the page's zone; whether to notify is asked again. */
export function draftFormValues(draft: DraftView, timeZone: string): Record<string, string> {
  const d = draft.input;
  const values: Record<string, string> = {
    draftId: draft.id,
    draftVersion: String(draft.version),
    name: d.name,
    status: d.status,
    body: d.body,
    impact: d.impact ?? 'auto',
    displayAt: d.displayAt === undefined ? '' : toLocalInput(d.displayAt, timeZone),
    startedAt: d.startedAt === undefined ? '' : toLocalInput(d.startedAt, timeZone),
  };
  if (d.backfilled) values.backfilled = 'on';
  else values.notify = 'on';
  for (const c of d.components) values[`component:${c.componentId}`] = c.status;
  for (const [locale, fields] of Object.entries(d.translations ?? {}))
    for (const [field, value] of Object.entries(fields)) values[`${field}:${locale}`] = value;
  return values;
}

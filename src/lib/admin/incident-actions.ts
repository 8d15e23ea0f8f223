// The forms on an incident's admin page, each named by its `intent`.
import type { Db } from '../../../db/open';
import { ShiraseError, notFound, type FieldIssue } from '../errors';
import { deleteDraft } from '../drafts/delete-draft';
import { findDraft } from '../drafts/load-drafts';
import { publishDraft } from '../drafts/publish-draft';
import { cancelMaintenance } from '../incidents/cancel-maintenance';
import { rescheduleMaintenance, rescheduleMaintenanceSchema } from '../incidents/reschedule-maintenance';
import { editMaintenanceSeries } from '../maintenance/edit-series';
import { incidents } from '../../../db/schema';
import { eq } from 'drizzle-orm';
import { deleteIncidentUpdate } from '../incidents/delete-update';
import { editIncident, editIncidentSchema } from '../incidents/edit-incident';
import { editIncidentUpdate, editUpdateSchema } from '../incidents/edit-update';
import { postUpdateSchema, resolveIncidentSchema } from '../incidents/input';
import { postIncidentUpdate } from '../incidents/post-update';
import { resolveIncident } from '../incidents/resolve-incident';
import { setUpdateCadence } from '../cadence/set-update-cadence';
import type { WriteContext } from '../write-context';
import { readVersion } from '../edit-version';
import type { Config } from '../config';
import type { Locale } from '../i18n/messages';
import { previewUpdateEmail } from '../notifications/compose';
import { requireConfirmation, type FormOutcome } from './run-form';
import type { FilledTemplate } from '../templates/filled-templates';
import { applyTemplate, templateRequest, type TemplateStep } from './template-apply';
import { checked, componentChanges, formInput, localDateTime, optionalText, text, translationsFrom, translationsOf } from './form-input';
import { filledAsPublished } from './preview-text';

/** The email an update would send, shown under the form without posting anything. */
type MailPreview = ReturnType<typeof previewUpdateEmail>;

/** What a round trip that writes nothing shows: the email preview, a template to fill in or to ask about, or just the form as typed (the time check). */
export interface IncidentPageShown {
  mail?: MailPreview;
  template?: TemplateStep;
}

/** The incident page's forms: a look that writes nothing (email preview, time check, template), or one of the writes below. */
export function handleIncidentPageForm(
  db: Db,
  config: Config,
  incidentId: string,
  form: FormData,
  ctx: WriteContext,
  locale: Locale,
  templates: () => readonly FilledTemplate[],
): FormOutcome<IncidentPageShown> {
  if (form.get('preview') === 'email') {
    // What will be mailed: the text as publishing fills it, and a back-dated time said as a note about then.
    const body = filledAsPublished(db, config, { markdown: text(form, 'body'), form, incidentId }, ctx.now);
    const displayAt = localDateTime(form, 'displayAt', config.timeZone, []);
    return { show: { mail: previewUpdateEmail(db, config, incidentId, { status: text(form, 'status'), body, displayAt }, locale, ctx.now) } };
  }
  if (form.get('preview') === 'check') return { show: {} };
  if (templateRequest(form)) return { show: { template: applyTemplate(form, templates(), 'body', config.defaultLocale) } };
  return handleIncidentForm(db, incidentId, form, { ...ctx, site: config }, config.timeZone);
}

/** The suggested update the form names, refused as not found unless it is this incident's. */
function suggestionOf(db: Db, incidentId: string, form: FormData): string {
  const draftId = text(form, 'draftId');
  if (findDraft(db, draftId).incidentId !== incidentId) throw notFound('draft', draftId);
  return draftId;
}

/** The series this window belongs to, so a form can only reach the series of the page it was sent from. */
function seriesOf(db: Db, incidentId: string): string {
  const row = db.select({ seriesId: incidents.seriesId }).from(incidents).where(eq(incidents.id, incidentId)).get();
  if (!row?.seriesId) throw notFound('maintenance', incidentId);
  return row.seriesId;
}

/** Runs the submitted form and returns where to go next. */
function handleIncidentForm(db: Db, incidentId: string, form: FormData, ctx: WriteContext, timeZone: string): string {
  const back = (done: string) => `/admin/incidents/${incidentId}?done=${done}`;
  const issues: FieldIssue[] = [];
  switch (text(form, 'intent')) {
    case 'post_update': {
      const displayAt = localDateTime(form, 'displayAt', timeZone, issues);
      const update = formInput(
        postUpdateSchema(ctx.now),
        {
          status: text(form, 'status'),
          body: text(form, 'body'),
          components: componentChanges(form),
          displayAt,
          notify: checked(form, 'notify'),
          translations: translationsFrom(form, ['body']),
        },
        'update',
        issues,
      );
      postIncidentUpdate(db, incidentId, update, ctx);
      return back('posted');
    }
    case 'resolve': {
      const displayAt = localDateTime(form, 'resolveAt', timeZone, issues);
      const resolution = formInput(
        resolveIncidentSchema(ctx.now),
        {
          body: text(form, 'resolveBody'),
          displayAt,
          notify: checked(form, 'notify'),
          components: componentChanges(form),
          translations: translationsOf(form, 'resolveBody', 'body'),
        },
        'resolution',
        issues,
      );
      resolveIncident(db, incidentId, resolution, ctx);
      return back('resolved');
    }
    case 'edit_update': {
      const updateId = text(form, 'updateId');
      const displayAt = localDateTime(form, `displayAt-${updateId}`, timeZone, issues);
      const correction = formInput(
        editUpdateSchema(ctx.now),
        {
          body: optionalText(form, `body-${updateId}`) ?? '',
          displayAt,
          version: readVersion(form.get('version')),
          translations: translationsOf(form, `body-${updateId}`, 'body'),
        },
        'correction',
        issues,
      );
      editIncidentUpdate(db, updateId, correction, ctx);
      return back('corrected');
    }
    case 'delete_update':
      requireConfirmation(form, 'admin.update.deleteConfirm');
      deleteIncidentUpdate(db, text(form, 'updateId'), ctx);
      return back('deleted');
    case 'edit_incident':
      editIncident(
        db,
        incidentId,
        formInput(
          editIncidentSchema,
          {
            name: text(form, 'name'),
            impact: optionalText(form, 'impact') ?? 'auto',
            autoTransitions: form.has('autoTransitionsShown') ? checked(form, 'autoTransitions') : undefined,
            version: readVersion(form.get('version')),
          },
          'incident',
        ),
        ctx,
      );
      return back('edited');
    case 'set_cadence':
      setUpdateCadence(db, incidentId, { minutes: Number(text(form, 'minutes') || Number.NaN) }, ctx);
      return back('cadence');
    case 'publish_suggestion': {
      const draftId = suggestionOf(db, incidentId, form);
      publishDraft(db, draftId, { version: readVersion(form.get('draftVersion')), notify: checked(form, 'notify') }, ctx);
      return back('posted');
    }
    case 'discard_suggestion': {
      const draftId = suggestionOf(db, incidentId, form);
      requireConfirmation(form, 'admin.suggested.discardConfirm');
      deleteDraft(db, draftId, readVersion(form.get('draftVersion')), ctx);
      return back('suggestionDiscarded');
    }
    case 'series_rename':
      editMaintenanceSeries(db, seriesOf(db, incidentId), { name: text(form, 'seriesName') }, ctx);
      return back('seriesEdited');
    case 'series_cancel':
      requireConfirmation(form, 'admin.series.cancelConfirm');
      editMaintenanceSeries(db, seriesOf(db, incidentId), { cancel: true, notify: checked(form, 'notify') }, ctx);
      return back('seriesEdited');
    case 'reschedule': {
      const scheduledFor = localDateTime(form, 'scheduledFor', timeZone, issues);
      const scheduledUntil = localDateTime(form, 'scheduledUntil', timeZone, issues);
      const window = formInput(
        rescheduleMaintenanceSchema,
        { scheduledFor, scheduledUntil, notify: checked(form, 'notify'), version: readVersion(form.get('version')) },
        'maintenance',
        issues,
      );
      rescheduleMaintenance(db, incidentId, window, ctx);
      return back('rescheduled');
    }
    case 'cancel':
      requireConfirmation(form, 'admin.maintenance.cancelConfirm');
      cancelMaintenance(db, incidentId, { body: optionalText(form, 'cancelBody'), notify: checked(form, 'notify') }, ctx);
      return back('cancelled');
    default:
      throw new ShiraseError('VALIDATION', 'errors.form.noIntent', { hint: 'errors.hint.reload' });
  }
}

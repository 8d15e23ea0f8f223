// The update templates page: save or delete one template.
import type { Db } from '../../../db/open';
import type { SessionUser } from '../auth/sessions';
import type { POSTABLE_STATUSES } from '../status/vocabulary';
import { actorFor, optionalText, text, translationsFrom } from './form-input';
import { requireConfirmation, type FormOutcome } from './run-form';
import { deleteTemplate } from '../templates/delete-template';
import { saveTemplate } from '../templates/save-template';

function readTemplateForm(form: FormData) {
  return {
    name: text(form, 'name'),
    status: text(form, 'status') as (typeof POSTABLE_STATUSES)[number],
    body: text(form, 'body'),
    translations: translationsFrom(form, ['body']),
  };
}

/** Runs the submitted form and returns where to go next. */
export function handleTemplateForm(db: Db, form: FormData, user: SessionUser, now: number): FormOutcome<never> {
  const ctx = { now, actor: actorFor(user) };
  if (text(form, 'intent') === 'delete') {
    requireConfirmation(form, 'admin.templates.deleteConfirm');
    deleteTemplate(db, text(form, 'id'), ctx);
  } else saveTemplate(db, optionalText(form, 'id'), readTemplateForm(form), ctx);
  return '/admin/templates?done=saved';
}

// The checks pages (admins only for changes): add, edit or delete a check.
import type { Db } from '../../../db/open';
import type { SessionUser } from '../auth/sessions';
import { checkFieldsSchema, type CheckInput } from '../checks/check-input';
import { findCheck } from '../checks/check-views';
import { deleteCheck } from '../checks/delete-check';
import { createCheck, editCheck } from '../checks/save-check';
import { notFound } from '../errors';
import { actorFor, checked, formInput, optionalText, text } from './form-input';
import { requireConfirmation, type FormOutcome } from './run-form';

/** A number field: empty is "not given" (the default applies); anything else that is not a number is left for the verb to refuse, with the field named. */
function numberField(form: FormData, name: string): number | undefined {
  const raw = optionalText(form, name);
  return raw === undefined ? undefined : Number(raw);
}

function readCheckForm(form: FormData): CheckInput {
  const values = {
    name: text(form, 'name'),
    kind: text(form, 'kind'),
    target: text(form, 'target'),
    intervalSeconds: numberField(form, 'intervalSeconds'),
    timeoutSeconds: numberField(form, 'timeoutSeconds'),
    expectedStatus: optionalText(form, 'expectedStatus'),
    keyword: optionalText(form, 'keyword'),
    certWarnDays: numberField(form, 'certWarnDays'),
    failuresBefore: numberField(form, 'failuresBefore'),
    labels: text(form, 'labels'),
    enabled: checked(form, 'enabled'),
  };
  return formInput(checkFieldsSchema, values, 'check');
}

/** Runs the submitted form on the new-check page (no id) or on a check's pages. */
export function handleCheckForm(db: Db, form: FormData, user: SessionUser, now: number, id?: string): FormOutcome<never> {
  const ctx = { now, actor: actorFor(user) };
  if (!id) return `/admin/checks/${createCheck(db, readCheckForm(form), ctx).id}?done=checkAdded`;
  if (text(form, 'intent') === 'delete') {
    const check = findCheck(db, id);
    if (!check) throw notFound('check', id);
    requireConfirmation(form, 'checks.deleteConfirm', { name: check.name });
    deleteCheck(db, id, ctx);
    return '/admin/checks?done=checkDeleted';
  }
  editCheck(db, id, { ...readCheckForm(form), version: numberField(form, 'version') }, ctx);
  return `/admin/checks/${id}?done=saved`;
}

// The API tokens page (admins only): create a token, shown once, or revoke one.
import type { Db } from '../../../db/open';
import { createApiToken, newTokenSchema } from '../auth/create-api-token';
import { revokeApiToken } from '../auth/revoke-api-token';
import type { SessionUser } from '../auth/sessions';
import { actorFor, formInput, text } from './form-input';
import { requireConfirmation, type FormOutcome } from './run-form';

function readTokenForm(form: FormData) {
  // Unknown scopes are refused by the verb's schema, with the field named.
  return formInput(newTokenSchema, { name: text(form, 'name'), scopes: form.getAll('scopes').map(String) }, 'token');
}

/** Runs the submitted form: where to go next, or the new token to show on this response only (never in a URL). */
export function handleTokenForm(db: Db, form: FormData, user: SessionUser, now: number): FormOutcome<string> {
  const ctx = { now, actor: actorFor(user) };
  if (text(form, 'intent') === 'revoke') {
    requireConfirmation(form, 'admin.tokens.revokeConfirm');
    revokeApiToken(db, text(form, 'id'), ctx);
    return '/admin/tokens?done=saved';
  }
  return { show: createApiToken(db, readTokenForm(form), ctx).token };
}

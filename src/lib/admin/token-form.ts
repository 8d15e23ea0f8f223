// The API tokens page (admins only): create a token, shown once, or revoke one.
import type { Db } from '../../../db/open';
import type { TokenScope } from '../auth/api-tokens';
import { createApiToken } from '../auth/create-api-token';
import { revokeApiToken } from '../auth/revoke-api-token';
import type { SessionUser } from '../auth/sessions';
import { actorFor, text } from './form-input';
import { requireConfirmation, type FormOutcome } from './run-form';

function readTokenForm(form: FormData) {
  // Unknown scopes are left for the verb to refuse, with the field named.
  return { name: text(form, 'name'), scopes: form.getAll('scopes').map(String) as TokenScope[] };
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


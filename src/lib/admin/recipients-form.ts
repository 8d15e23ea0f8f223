// The subscribers page (admins only): remove a subscriber, add a webhook (its secret shown once) or disable one.
import type { Db } from '../../../db/open';
import { requireAdmin } from '../auth/require-role';
import type { SessionUser } from '../auth/sessions';
import { addWebhook } from '../notifications/add-webhook';
import { disableWebhook } from '../notifications/disable-webhook';
import { removeSubscriber } from '../notifications/remove-subscriber';
import { actorFor, text } from './form-input';
import { requireConfirmation, type FormOutcome } from './run-form';

function readWebhookForm(form: FormData) {
  return { url: text(form, 'url'), description: text(form, 'description') };
}

/** Runs the submitted form: where to go next, or a new webhook's signing secret to show on this response only. */
export function handleRecipientsForm(db: Db, form: FormData, user: SessionUser, now: number, options: { allowPrivate: boolean }): FormOutcome<string> {
  requireAdmin(user);
  const ctx = { now, actor: actorFor(user) };
  switch (text(form, 'intent')) {
    case 'remove':
      requireConfirmation(form, 'admin.subscribers.removeConfirm');
      removeSubscriber(db, text(form, 'id'), ctx);
      return '/admin/subscribers?done=saved';
    case 'disable_webhook':
      requireConfirmation(form, 'admin.webhooks.disableConfirm');
      disableWebhook(db, text(form, 'id'), ctx);
      return '/admin/subscribers?done=saved';
    default:
      return { show: addWebhook(db, readWebhookForm(form), ctx, options).secret };
  }
}

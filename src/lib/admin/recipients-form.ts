// The subscribers page (admins only): remove a subscriber, import a list, add a webhook (its secret shown once) or disable one.
import type { Db } from '../../../db/open';
import type { SessionUser } from '../auth/sessions';
import { addWebhook } from '../notifications/add-webhook';
import { addChatChannel, chatChannelSchema } from '../notifications/chat-channels';
import { disableWebhook } from '../notifications/disable-webhook';
import { removeSubscriber } from '../notifications/remove-subscriber';
import { IMPORT_MODES, importSubscribers, planSubscriberImport, type ImportMode } from '../notifications/subscriber-csv';
import { ShiraseError, fieldIssue } from '../errors';
import { t, type Locale } from '../i18n/messages';
import { actorFor, formInput, text, optionalText } from './form-input';
import { requireConfirmation, type FormOutcome } from './run-form';

function readWebhookForm(form: FormData) {
  return { url: text(form, 'url'), description: text(form, 'description') };
}

function readChatForm(form: FormData) {
  const values = {
    kind: text(form, 'kind'),
    url: text(form, 'url'),
    description: text(form, 'description'),
    locale: text(form, 'locale') || 'en',
    audience: text(form, 'audience') === 'staff' ? 'staff' : 'subscribers',
  };
  return formInput(chatChannelSchema, values, 'chatChannel');
}

/**
 * The list to import: a chosen file, else the pasted text. The file's text
 * replaces it in the form, so the confirmation step (which can only send
 * text fields again) imports exactly what was checked.
 */
async function importText(form: FormData): Promise<string> {
  const file = form.get('file');
  if (file instanceof File && file.size > 0) {
    form.set('csv', await file.text());
  }
  form.delete('file');
  return text(form, 'csv');
}

function importMode(form: FormData): ImportMode {
  const mode = text(form, 'mode');
  const known = IMPORT_MODES.find((m) => m === mode);
  if (known) return known;
  throw new ShiraseError('VALIDATION', 'errors.import.mode', { fields: [fieldIssue('mode', 'errors.field.importMode')] });
}

/**
 * Reads the list and says what importing it would do before anything is
 * written; the yes imports. Counting addresses as confirmed asks with a
 * warning of its own: mail people never asked for is what gets a sender
 * marked as spam.
 */
async function runImport(
  db: Db,
  form: FormData,
  ctx: { now: number; actor: ReturnType<typeof actorFor> },
  locale: Locale,
  defaultLocale: Locale,
): Promise<string> {
  const csv = await importText(form);
  const mode = importMode(form);
  const plan = planSubscriberImport(db, csv, defaultLocale);
  if (plan.added.length === 0) {
    throw new ShiraseError('VALIDATION', 'errors.import.nothingNew', {
      params: { existing: plan.existing, unsubscribed: plan.unsubscribed, repeated: plan.repeated },
    });
  }
  // Only the rows left out for a reason are named; "0 repeated rows" says nothing.
  const leftOut = [
    plan.existing > 0 ? t(locale, 'admin.import.leftExisting', { n: plan.existing }) : '',
    plan.unsubscribed > 0 ? t(locale, 'admin.import.leftUnsubscribed', { n: plan.unsubscribed }) : '',
    plan.repeated > 0 ? t(locale, 'admin.import.leftRepeated', { n: plan.repeated }) : '',
  ].filter(Boolean);
  requireConfirmation(form, mode === 'confirmed' ? 'admin.import.confirmConfirmed' : 'admin.import.confirmAsk', {
    n: String(plan.added.length),
    leftOut: leftOut.join(' '),
  });
  importSubscribers(db, plan, mode, ctx);
  return '/admin/subscribers?done=imported';
}

/** Runs the submitted form: where to go next, or a new webhook's signing secret to show on this response only. */
export async function handleRecipientsForm(
  db: Db,
  form: FormData,
  user: SessionUser,
  now: number,
  options: { allowPrivate: boolean; chatHosts: readonly string[]; locale: Locale; defaultLocale: Locale },
): Promise<FormOutcome<string>> {
  const ctx = { now, actor: actorFor(user) };
  switch (text(form, 'intent')) {
    case 'import':
      return runImport(db, form, ctx, options.locale, options.defaultLocale);
    case 'remove':
      requireConfirmation(form, 'admin.subscribers.removeConfirm');
      removeSubscriber(db, text(form, 'id'), ctx);
      return '/admin/subscribers?done=saved';
    case 'disable_webhook':
      requireConfirmation(form, 'admin.webhooks.disableConfirm');
      disableWebhook(db, text(form, 'id'), ctx);
      return '/admin/subscribers?done=saved';
    default:
      // A chat channel gets its platform's messages and needs no secret; a generic webhook's secret is shown once.
      if ((optionalText(form, 'kind') ?? 'webhook') !== 'webhook') {
        addChatChannel(db, readChatForm(form), ctx, { extraHosts: options.chatHosts, allowPrivate: options.allowPrivate });
        return '/admin/subscribers?done=saved#hooks';
      }
      return { show: addWebhook(db, readWebhookForm(form), ctx, options).secret };
  }
}

import { asStorageFull, HTTP_STATUS_BY_CODE, ShiraseError, type FieldIssue } from '../errors';
import { formValues } from './form-input';
import type { MessageKey } from '../i18n/messages';

/** What a form handler answers: where to go next (post/redirect/get), or something to show on this response only. */
export type FormOutcome<T> = string | { show: T };

export interface FormResult<T = never> {
  /** Where to send the browser after a successful write (post/redirect/get). */
  redirect?: string;
  error?: ShiraseError;
  status: number;
  values: Record<string, string>;
  /** Every value of fields that may repeat, such as checkbox lists. */
  lists: Record<string, string[]>;
  /** The first issue of each field, for the page to say in its reader's language. */
  fieldErrors: Record<string, FieldIssue>;
  /** What the handler asked to show once (a new secret, a preview), never put in a URL. */
  shown?: T;
  /** An irreversible action that waits for the person to say yes; nothing was written. */
  confirm?: FormConfirmation;
}

/** An irreversible action waiting for a yes: what to ask, and the fields to send again with it. */
export interface FormConfirmation {
  question: MessageKey;
  params: Record<string, string>;
  /** Every field as it was posted, in order. */
  fields: [string, string][];
}

class ConfirmationNeeded extends Error {
  constructor(
    readonly question: MessageKey,
    readonly params: Record<string, string>,
  ) {
    super('confirmation needed');
  }
}

/** The field that says the person has answered yes (added by the confirmation form, or by admin.js after the browser's own dialog). */
export const CONFIRMED_FIELD = 'confirmed';

/**
 * Stops an irreversible action until the form comes back with a yes: the
 * page asks `question` and offers to send the same fields again, so the
 * check holds without JavaScript too.
 */
export function requireConfirmation(form: FormData, question: MessageKey, params: Record<string, string> = {}): void {
  if (form.get(CONFIRMED_FIELD) !== 'yes') throw new ConfirmationNeeded(question, params);
}

function collected(form: FormData | undefined): { values: Record<string, string>; lists: Record<string, string[]> } {
  const lists: Record<string, string[]> = {};
  for (const [key, value] of form?.entries() ?? []) if (typeof value === 'string') (lists[key] ??= []).push(value);
  return { values: formValues(form), lists };
}

/**
 * Runs one form submission: reads the body, calls the action, and on a
 * ShiraseError (or a write refused for want of room) keeps what was typed
 * and the message for each field, so the page can show the form again with
 * nothing lost. Other errors propagate.
 */
export async function runForm<T = never>(request: Request, action: (form: FormData) => FormOutcome<T> | Promise<FormOutcome<T>>): Promise<FormResult<T>> {
  let form: FormData | undefined;
  try {
    form = await request.formData().catch(() => {
      throw new ShiraseError('BAD_REQUEST', 'errors.form.unreadable', { hint: 'errors.form.unreadable.hint' });
    });
    const outcome = await action(form);
    if (typeof outcome === 'string' && outcome) return { redirect: outcome, status: 303, values: {}, lists: {}, fieldErrors: {} };
    // No redirect: the page answers this request itself (a preview, a secret shown once) and may show what was sent.
    return { status: 200, ...collected(form), fieldErrors: {}, ...(typeof outcome === 'string' ? {} : { shown: outcome.show }) };
  } catch (error) {
    if (error instanceof ConfirmationNeeded) {
      const fields = [...(form?.entries() ?? [])].filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== CONFIRMED_FIELD);
      return { status: 200, ...collected(form), fieldErrors: {}, confirm: { question: error.question, params: error.params, fields } };
    }
    const said = error instanceof ShiraseError ? error : asStorageFull(error);
    if (!said) throw error;
    const fieldErrors: Record<string, FieldIssue> = {};
    for (const f of said.fields) fieldErrors[f.field] ??= f;
    return { error: said, status: HTTP_STATUS_BY_CODE[said.code], ...collected(form), fieldErrors };
  }
}

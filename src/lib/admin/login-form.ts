// Signing in: the password, then (for accounts with two-factor sign-in) a code carried with a short-lived challenge.
import type { Db } from '../../../db/open';
import { completeSignIn } from '../auth/complete-sign-in';
import { signIn } from '../auth/sign-in';
import { text } from './form-input';

/** Where to go after signing in: only ever an admin page on this site. */
export function safeNext(next: string | null): string {
  const value = next ?? '';
  return /^\/admin(\/[\w\-/?=&%.]*)?$/.test(value) && !value.startsWith('//') ? value : '/admin';
}

/** Either step of signing in: a session token to set, or a challenge the code must come back with. */
export function handleLoginForm(db: Db, form: FormData, now: number, address: string) {
  return text(form, 'challenge')
    ? completeSignIn(db, { challenge: text(form, 'challenge'), code: text(form, 'code'), address }, now)
    : signIn(db, { email: text(form, 'email'), password: text(form, 'password'), address }, now);
}

// The staff page (admins only): add, change the role of, put on call, unlock, reset or disable an account.
import type { Db } from '../../../db/open';
import { resetPassword } from '../auth/reset-password';
import type { SessionUser } from '../auth/sessions';
import { unlockUser } from '../auth/unlock-user';
import { createUser, newUserSchema } from '../auth/create-user';
import { disableUser } from '../auth/disable-user';
import { setUserRole } from '../auth/set-user-role';
import { setOnCall } from '../auth/set-on-call';
import { actorFor, checked, formInput, text } from './form-input';
import { requireConfirmation, type FormOutcome } from './run-form';

/** A password shown once: a new account's, or one reset by an admin. */
export interface ShownPassword {
  kind: 'created' | 'reset';
  email: string;
  password: string;
}

function readNewUserForm(form: FormData) {
  return formInput(newUserSchema, { email: text(form, 'email'), role: text(form, 'role') }, 'account');
}

/** Runs the submitted form: where to go next, or a password to show on this response only. */
export async function handleUserForm(db: Db, form: FormData, user: SessionUser, now: number): Promise<FormOutcome<ShownPassword>> {
  const ctx = { now, actor: actorFor(user) };
  const id = text(form, 'id');
  switch (text(form, 'intent')) {
    case 'disable':
      requireConfirmation(form, 'admin.users.disableConfirm');
      return `/admin/users?done=disabled&tokens=${disableUser(db, id, ctx).tokensStopped}`;
    case 'unlock':
      unlockUser(db, id, ctx);
      return '/admin/users?done=unlocked';
    case 'reset': {
      requireConfirmation(form, 'admin.users.resetConfirm');
      const reset = await resetPassword(db, id, { clearTwoFactor: checked(form, 'clearTwoFactor') }, ctx);
      return { show: { kind: 'reset', email: reset.email, password: reset.password } };
    }
    case 'on_call':
      setOnCall(db, id, checked(form, 'onCall'), ctx);
      return '/admin/users?done=saved';
    case 'role':
      setUserRole(db, id, text(form, 'role') === 'admin' ? 'admin' : 'editor', ctx);
      return '/admin/users?done=saved';
    default: {
      const input = readNewUserForm(form);
      const created = await createUser(db, input, ctx);
      return { show: { kind: 'created', email: created.email, password: created.password } };
    }
  }
}

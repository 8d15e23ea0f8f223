// Your account: change your own password (your other sessions end; this one stays).
import type { Db } from '../../../db/open';
import { changePassword } from '../auth/change-password';
import type { SessionUser } from '../auth/sessions';
import { actorFor, text } from './form-input';
import type { FormOutcome } from './run-form';

export interface AccountRequest {
  /** Where the request came from, for sign-in throttling. */
  address: string;
  /** This browser's session, kept signed in. */
  sessionToken: string | undefined;
}

function readPasswordForm(form: FormData) {
  return { currentPassword: text(form, 'currentPassword'), newPassword: text(form, 'newPassword') };
}

export async function handleAccountForm(db: Db, form: FormData, user: SessionUser, now: number, request: AccountRequest): Promise<FormOutcome<never>> {
  await changePassword(
    db,
    { userId: user.id, ...readPasswordForm(form), address: request.address, keepSessionToken: request.sessionToken },
    { now, actor: actorFor(user) },
  );
  return '/admin/account?done=password';
}

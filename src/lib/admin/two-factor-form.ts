// Two-factor sign-in under Your account: start, enable (recovery codes shown once), renew the codes, or turn it off.
import type { Db } from '../../../db/open';
import { disableTwoFactor } from '../auth/disable-two-factor';
import { enableTwoFactor } from '../auth/enable-two-factor';
import { renewRecoveryCodes } from '../auth/renew-recovery-codes';
import type { SessionUser } from '../auth/sessions';
import { startTwoFactor } from '../auth/start-two-factor';
import type { Config } from '../config';
import { actorFor, text } from './form-input';
import type { FormOutcome } from './run-form';

/** Recovery codes to show on this response only: new ones after enabling, or renewed ones. */
export interface ShownCodes {
  recoveryCodes: string[];
  renewed: boolean;
  /** Other sessions ended when two-factor sign-in was turned on. */
  sessionsEnded?: number;
}

/** Whether this site makes two-factor sign-in mandatory for this person (STAFF_2FA=required, for admins). */
export function twoFactorRequired(config: Pick<Config, 'staffTwoFactor'>, user: SessionUser): boolean {
  return config.staffTwoFactor === 'required' && user.role === 'admin';
}

export async function handleTwoFactorForm(
  db: Db,
  form: FormData,
  user: SessionUser,
  now: number,
  request: { address: string; required: boolean; session?: string },
): Promise<FormOutcome<ShownCodes>> {
  const ctx = { now, actor: actorFor(user) };
  switch (text(form, 'intent')) {
    case 'start':
      startTwoFactor(db, user.id, ctx);
      return '/admin/account/two-factor';
    case 'enable': {
      const { recoveryCodes, sessionsEnded } = enableTwoFactor(db, { userId: user.id, code: text(form, 'code'), keepSession: request.session }, ctx);
      return { show: { recoveryCodes, renewed: false, sessionsEnded } };
    }
    case 'renew':
      return {
        show: {
          recoveryCodes: (await renewRecoveryCodes(db, { userId: user.id, proof: text(form, 'renewProof'), address: request.address }, ctx)).recoveryCodes,
          renewed: true,
        },
      };
    case 'disable':
      await disableTwoFactor(db, { userId: user.id, proof: text(form, 'proof'), address: request.address, required: request.required }, ctx);
      return '/admin/account/two-factor?done=off';
    default:
      return '/admin/account/two-factor';
  }
}

import type { Tx } from '../incidents/log';
import { checkSecondFactor } from './complete-sign-in';
import { verifyPassword } from './password';
import { normalizeTotpCode } from './totp';

/**
 * Whether what a signed-in person typed to confirm a sensitive change is their
 * password or a current code from their app (a code is used up like one
 * typed at sign-in).
 */
export function isPasswordOrCode(tx: Tx, user: { id: string; passwordHash: string }, proof: string, now: number): boolean {
  return normalizeTotpCode(proof) ? checkSecondFactor(tx, user.id, proof, now) === 'totp' : verifyPassword(proof, user.passwordHash);
}

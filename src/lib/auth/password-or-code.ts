import type { Tx } from '../incidents/log';
import { checkSecondFactor } from './complete-sign-in';
import { verifyPassword } from './password';
import { normalizeTotpCode } from './totp';

/**
 * What a signed-in person typed to confirm a sensitive change, checked in
 * two steps: a password is verified first, outside any transaction (scrypt
 * runs on the worker pool), and `holds` then answers inside the caller's
 * transaction, where a code from their app is used up like one typed at
 * sign-in.
 */
export async function checkPasswordOrCode(user: { id: string; passwordHash: string }, proof: string): Promise<{ holds: (tx: Tx, now: number) => boolean }> {
  if (normalizeTotpCode(proof)) return { holds: (tx, now) => checkSecondFactor(tx, user.id, proof, now) === 'totp' };
  const passwordOk = await verifyPassword(proof, user.passwordHash);
  return { holds: () => passwordOk };
}

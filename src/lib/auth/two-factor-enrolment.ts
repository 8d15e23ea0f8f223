import { eq } from 'drizzle-orm';
import QRCode from 'qrcode';
import type { Db } from '../../../db/open';
import { users } from '../../../db/schema';
import { totpUri } from './totp';
import { unusedRecoveryCodeCount } from './recovery-codes';

export interface TwoFactorState {
  enabled: boolean;
  /** Recovery codes not used yet, once it is on. */
  recoveryCodesLeft: number;
  /** While setting up: the secret to type into the app, its otpauth:// address and that address as an SVG QR code. */
  pending: { secret: string; uri: string; qrSvg: string } | null;
}

/** Where an account stands with two-factor sign-in, and what to show while it is being set up. */
export async function twoFactorState(db: Db, userId: string, issuer: string): Promise<TwoFactorState> {
  const user = db
    .select({ email: users.email, totpSecret: users.totpSecret, totpEnabledAt: users.totpEnabledAt })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  if (!user || user.totpEnabledAt !== null || user.totpSecret === null) {
    return { enabled: user?.totpEnabledAt != null, recoveryCodesLeft: unusedRecoveryCodeCount(db, userId), pending: null };
  }
  const uri = totpUri(user.totpSecret, issuer, user.email);
  // An inline <svg> needs nothing from the CSP; a data: image would depend on img-src.
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { enabled: false, recoveryCodesLeft: 0, pending: { secret: user.totpSecret, uri, qrSvg } };
}

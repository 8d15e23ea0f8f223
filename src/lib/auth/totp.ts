// Time-based one-time codes (RFC 6238: SHA-1, 6 digits, 30 seconds), the
// kind every authenticator app reads from an otpauth:// address.
import { Secret, TOTP } from 'otpauth';

const PERIOD = 30;

function totpFor(secret: string, label = '', issuer = ''): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(secret) });
}

/** A new 160-bit secret, in base32 as people type it into an app. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// address an authenticator app reads from the QR code. */
export function totpUri(secret: string, issuer: string, account: string): string {
  return totpFor(secret, account, issuer).toString();
}

/** Six digits, however they were typed (spaces, a hyphen in the middle), or null. */
export function normalizeTotpCode(input: string): string | null {
  const digits = input.replace(/[\s-]/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/**
 * The time step a code belongs to, within one step either side of now (clocks
 * drift), or null. A step at or before `lastStep` was already used: refused,
 * so a code seen over a shoulder cannot be replayed.
 */
export function acceptTotpCode(secret: string, code: string, lastStep: number | null, now: number): number | null {
  const digits = normalizeTotpCode(code);
  if (!digits) return null;
  const delta = totpFor(secret).validate({ token: digits, timestamp: now, window: 1 });
  if (delta === null) return null;
  const step = Math.floor(now / 1000 / PERIOD) + delta;
  return lastStep !== null && step <= lastStep ? null : step;
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/open';
import { siteState } from '../../../db/schema';
import { ShiraseError } from '../errors';

const secrets = new WeakMap<object, Buffer>();

/**
 * The key that signs links in emails. Made once per database and kept there,
 * so links keep working across restarts and processes; never logged or shown.
 */
export function siteSecret(db: Db): Buffer {
  const known = secrets.get(db.$client);
  if (known) return known;
  db.insert(siteState).values({ key: 'signing_key', value: randomBytes(32).toString('base64url') }).onConflictDoNothing().run();
  const row = db.select({ value: siteState.value }).from(siteState).where(eq(siteState.key, 'signing_key')).get()!;
  const key = Buffer.from(row.value, 'base64url');
  secrets.set(db.$client, key);
  return key;
}

export type TokenPurpose = 'confirm' | 'manage';

function mac(secret: Buffer, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** `subscriberId.purpose.expiry.signature`; expiry 0 means it never expires (manage and unsubscribe links). */
export function signToken(secret: Buffer, subscriberId: string, purpose: TokenPurpose, expiresAt = 0): string {
  const payload = `${subscriberId}.${purpose}.${expiresAt}`;
  return `${payload}.${mac(secret, payload)}`;
}

const INVALID = () =>
  new ShiraseError('FORBIDDEN', 'This link is not valid: it may have been changed or cut short.', {
    hint: 'Open the link from the most recent email again, or subscribe again from the status page.',
  });

/** The subscriber a token speaks for, if its signature, purpose and expiry all hold. */
export function verifyToken(secret: Buffer, token: string | null, purpose: TokenPurpose, now: number): string {
  const parts = (token ?? '').split('.');
  if (parts.length !== 4) throw INVALID();
  const [id, tokenPurpose, expiry, signature] = parts as [string, string, string, string];
  const expected = Buffer.from(mac(secret, `${id}.${tokenPurpose}.${expiry}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || tokenPurpose !== purpose) throw INVALID();
  if (Number(expiry) !== 0 && Number(expiry) < now) {
    throw new ShiraseError('FORBIDDEN', 'This confirmation link has expired.', { hint: 'Subscribe again from the status page to get a new link.' });
  }
  return id;
}

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
  db.insert(siteState)
    .values({ key: 'signing_key', value: randomBytes(32).toString('base64url') })
    .onConflictDoNothing()
    .run();
  const row = db.select({ value: siteState.value }).from(siteState).where(eq(siteState.key, 'signing_key')).get()!;
  const key = Buffer.from(row.value, 'base64url');
  secrets.set(db.$client, key);
  return key;
}

/** Subscribers' links, and a chat channel's confirmation and stop links (which name the channel instead). */
export type TokenPurpose = 'confirm' | 'manage' | 'chat_confirm' | 'chat_stop' | 'viewer_link';

function mac(secret: Buffer, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/**
 * `subscriberId.purpose.gGeneration.expiry.signature`. The generation is the
 * subscriber's `linkGeneration` when the link was made: raising it expires
 * every older link at once. Expiry 0 means no time limit (manage and
 * unsubscribe links).
 */
export function signToken(secret: Buffer, subscriberId: string, purpose: TokenPurpose, generation: number, expiresAt = 0): string {
  const payload = `${subscriberId}.${purpose}.g${generation}.${expiresAt}`;
  return `${payload}.${mac(secret, payload)}`;
}

const INVALID = () => new ShiraseError('FORBIDDEN', 'errors.link.invalid', { hint: 'errors.link.invalid.hint' });

/** A link that was genuine but has been replaced: a newer one was sent, or the subscription ended. */
export const linkReplaced = () => new ShiraseError('FORBIDDEN', 'errors.link.replaced', { hint: 'errors.link.replaced.hint' });

/**
 * The subscriber and link generation a token speaks for, if its signature,
 * purpose and expiry all hold. Links made before generations existed (four
 * parts) count as generation 0.
 */
export function verifyToken(secret: Buffer, token: string | null, purpose: TokenPurpose, now: number): { subscriberId: string; generation: number } {
  const parts = (token ?? '').split('.');
  if (parts.length !== 4 && parts.length !== 5) throw INVALID();
  const signature = parts.pop()!;
  const [id, tokenPurpose] = parts as [string, string];
  const generationPart = parts.length === 4 ? parts[2]! : 'g0';
  const expiry = parts.at(-1)!;
  const expected = Buffer.from(mac(secret, parts.join('.')));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || tokenPurpose !== purpose || !/^g\d{1,9}$/.test(generationPart)) throw INVALID();
  if (Number(expiry) !== 0 && Number(expiry) < now) {
    throw new ShiraseError('FORBIDDEN', 'errors.link.confirmExpired', { hint: 'errors.link.confirmExpired.hint' });
  }
  return { subscriberId: id, generation: Number(generationPart.slice(1)) };
}

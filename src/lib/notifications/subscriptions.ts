import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { components, subscribers } from '../../../db/schema';
import { ShiraseError, notFound } from '../errors';
import { newPublicId } from '../ids';
import { emailField } from '../auth/users';
import { LOCALES } from '../i18n/messages';
import { parseInput } from '../validation';
import { enqueueEvent } from './enqueue';
import { siteSecret, verifyToken } from './signed-tokens';
import { throttle } from './throttle';

export const CONFIRM_LINK_HOURS = 48;

const preferences = z.object({
  componentIds: z.array(z.string().regex(/^[0-9a-z]{12}$/)).max(500).nullable(),
  locale: z.enum(LOCALES).default('en'),
});
const request = preferences.extend({ email: emailField });

function checkComponents(db: Db, ids: string[] | null): void {
  if (!ids) return;
  if (ids.length === 0) {
    throw new ShiraseError('VALIDATION', 'Choose at least one component, or all of them.', { fields: [{ field: 'componentIds', message: 'Choose at least one component, or all of them.' }] });
  }
  const known = new Set(db.select({ id: components.id }).from(components).all().map((c) => c.id));
  if (ids.some((id) => !known.has(id))) throw new ShiraseError('VALIDATION', 'One of the chosen components does not exist.', { fields: [{ field: 'componentIds', message: 'Choose from the list.' }] });
}

/**
 * Starts a subscription: records the address as pending and queues the
 * confirmation email. The answer is the same for a new, pending or confirmed
 * address, so the form never reveals who subscribes. Throttled per address
 * and per client.
 */
export function requestSubscription(db: Db, input: z.input<typeof request>, client: string, now: number): void {
  const data = parseInput(request, input, 'subscription');
  checkComponents(db, data.componentIds);
  throttle(db, [`subscribe-email:${data.email}`], 3, 3_600_000, now);
  throttle(db, [`subscribe-client:${client}`], 20, 3_600_000, now);
  db.transaction((tx) => {
    const existing = tx.select().from(subscribers).where(eq(subscribers.email, data.email)).get();
    const scope = data.componentIds ? JSON.stringify(data.componentIds) : null;
    let id = existing?.id;
    if (!existing) {
      id = newPublicId();
      tx.insert(subscribers).values({ id, email: data.email, locale: data.locale, componentIds: scope, status: 'pending', createdAt: now, updatedAt: now }).run();
    } else if (existing.status !== 'confirmed') {
      // Choices take effect on confirmation; until then the link may be re-sent.
      tx.update(subscribers).set({ locale: data.locale, componentIds: scope, status: 'pending', updatedAt: now }).where(eq(subscribers.id, existing.id)).run();
    }
    enqueueEvent(tx, { kind: 'confirm', subscriberId: id! }, now);
  });
}

export function confirmSubscription(db: Db, token: string | null, now: number): { subscriberId: string } {
  const id = verifyToken(siteSecret(db), token, 'confirm', now);
  const row = db.select().from(subscribers).where(eq(subscribers.id, id)).get();
  if (!row) throw notFound('This subscription');
  if (row.status !== 'confirmed') db.update(subscribers).set({ status: 'confirmed', confirmedAt: now, permanentFailures: 0, updatedAt: now }).where(eq(subscribers.id, id)).run();
  return { subscriberId: id };
}

export function findSubscriberByToken(db: Db, token: string | null, now: number) {
  const id = verifyToken(siteSecret(db), token, 'manage', now);
  const row = db.select().from(subscribers).where(eq(subscribers.id, id)).get();
  if (!row) throw notFound('This subscription');
  return { ...row, componentIds: row.componentIds ? (JSON.parse(row.componentIds) as string[]) : null };
}

export function updatePreferences(db: Db, token: string | null, input: z.input<typeof preferences>, now: number): void {
  const subscriber = findSubscriberByToken(db, token, now);
  const data = parseInput(preferences, input, 'preferences');
  checkComponents(db, data.componentIds);
  db.update(subscribers)
    .set({ componentIds: data.componentIds ? JSON.stringify(data.componentIds) : null, locale: data.locale, updatedAt: now })
    .where(eq(subscribers.id, subscriber.id))
    .run();
}

/** Ends a subscription; used by the manage page and by one-click unsubscribe, which needs no session or confirmation. */
export function unsubscribe(db: Db, token: string | null, now: number): void {
  const subscriber = findSubscriberByToken(db, token, now);
  db.update(subscribers).set({ status: 'unsubscribed', updatedAt: now }).where(eq(subscribers.id, subscriber.id)).run();
}

import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { components, subscribers } from '../../../db/schema';
import { ShiraseError, notFound, fieldIssue } from '../errors';
import { newPublicId } from '../ids';
import { emailField } from '../auth/users';
import { LOCALES } from '../i18n/messages';
import { parseInput, publicIdField } from '../validation';
import { enqueueEvent } from './enqueue';
import { linkReplaced, siteSecret, signToken, verifyToken, type TokenPurpose } from './signed-tokens';
import { throttle } from './throttle';
import { purgeExpiredPending } from './purge-pending';
import { addressKey } from '../auth/address-key';
import { isTimeZone } from '../config';
import { componentOnPage, loadPageScope, type PageScope } from '../pages/page-scope';

export const CONFIRM_LINK_HOURS = 48;

const preferences = z.object({
  componentIds: z.array(publicIdField()).max(500).nullable(),
  locale: z.enum(LOCALES).default('en'),
  // The browser's zone, sent by script, or one picked on the manage page; one this machine does not know
  // (an unusual browser's) is the site's rather than a refusal the reader could not act on. Absent: unchanged.
  timeZone: z
    .string()
    .max(64)
    .optional()
    .transform((zone) => (zone === undefined ? undefined : isTimeZone(zone) ? zone : null)),
});
const request = preferences.extend({ email: emailField });

/**
 * A scope names at least one component, and only ones on the page subscribed
 * on: one that names none would never hear anything, and one from another
 * page is not this page's to offer.
 */
export function checkComponents(db: Db, ids: string[] | null, page: Pick<PageScope, 'componentIds'>): void {
  if (!ids) return;
  if (ids.length === 0) {
    throw new ShiraseError('VALIDATION', 'errors.subscription.noComponents', { fields: [fieldIssue('componentIds', 'errors.field.chooseComponents')] });
  }
  const known = new Set(
    db
      .select({ id: components.id })
      .from(components)
      .all()
      .map((c) => c.id),
  );
  if (ids.some((id) => !known.has(id) || !componentOnPage(page, id)))
    throw new ShiraseError('VALIDATION', 'errors.subscription.unknownComponent', { fields: [fieldIssue('componentIds', 'errors.field.chooseFromList')] });
}

/** Gmail ignores dots in the name and delivers googlemail.com to the same mailboxes. */
const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * The mailbox an address delivers to, for counting requests only (the
 * address is kept as typed): `Name+tag@Example.com` and `name@example.com`
 * reach the same person, as do `j.doe@googlemail.com` and `jdoe@gmail.com`,
 * so each set shares one limit.
 */
export function mailboxKey(email: string): string {
  const at = email.lastIndexOf('@');
  let local = email.slice(0, at).toLowerCase();
  let domain = email.slice(at + 1).toLowerCase();
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (GMAIL_DOMAINS.has(domain)) {
    local = local.replaceAll('.', '');
    domain = 'gmail.com';
  }
  return `${local}@${domain}`;
}

/**
 * Starts a subscription, or sends a new link for one: a new, pending or
 * unsubscribed address is recorded as pending and gets a confirmation email;
 * a confirmed one gets a fresh link to manage it. Either way the address's
 * link generation is raised, so every older link stops working. The answer
 * is the same in every case, so the form never reveals who subscribes.
 * Throttled per address and per client.
 */
export function requestSubscription(db: Db, input: z.input<typeof request>, page: PageScope, client: string, now: number): void {
  const data = parseInput(request, input, 'subscription');
  checkComponents(db, data.componentIds, page);
  const mailbox = mailboxKey(data.email);
  throttle(db, [`subscribe-email:${mailbox}`], 3, 3_600_000, now);
  throttle(db, [`subscribe-email-day:${mailbox}`], 6, 24 * 3_600_000, now);
  throttle(db, [`subscribe-client:${addressKey(client)}`], 20, 3_600_000, now);
  purgeExpiredPending(db, now, 20);
  db.transaction((tx) => {
    // One address may follow several pages, each its own subscription with its own links.
    const existing = tx
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.pageId, page.id), eq(subscribers.email, data.email)))
      .get();
    const scope = data.componentIds ? JSON.stringify(data.componentIds) : null;
    if (!existing) {
      const id = newPublicId();
      tx.insert(subscribers)
        .values({
          id,
          email: data.email,
          pageId: page.id,
          locale: data.locale,
          timeZone: data.timeZone ?? null,
          componentIds: scope,
          status: 'pending',
          createdAt: now,
          updatedAt: now,
        })
        .run();
      enqueueEvent(tx, { kind: 'confirm', subscriberId: id }, now);
      return;
    }
    const nextGeneration = sql`${subscribers.linkGeneration} + 1`;
    if (existing.status === 'confirmed') {
      // A stranger typing this address changes nothing but the links, and the new one goes to the address itself.
      tx.update(subscribers).set({ linkGeneration: nextGeneration, updatedAt: now }).where(eq(subscribers.id, existing.id)).run();
      enqueueEvent(tx, { kind: 'manage_link', subscriberId: existing.id }, now);
    } else {
      // Choices take effect on confirmation; until then the link may be re-sent.
      tx.update(subscribers)
        .set({ locale: data.locale, timeZone: data.timeZone ?? null, componentIds: scope, status: 'pending', linkGeneration: nextGeneration, updatedAt: now })
        .where(eq(subscribers.id, existing.id))
        .run();
      enqueueEvent(tx, { kind: 'confirm', subscriberId: existing.id }, now);
    }
  });
}

/** The subscriber a link speaks for, if the link is genuine, unexpired and of the subscriber's current generation. */
function subscriberForLink(db: Db, token: string | null, purpose: TokenPurpose, now: number) {
  const { subscriberId, generation } = verifyToken(siteSecret(db), token, purpose, now);
  const row = db.select().from(subscribers).where(eq(subscribers.id, subscriberId)).get();
  if (!row) throw notFound('subscription');
  if (row.linkGeneration !== generation) throw linkReplaced();
  return row;
}

/** The link to manage a subscription, valid until the subscriber's link generation is raised. */
function manageToken(db: Db, subscriber: { id: string; linkGeneration: number }): string {
  return signToken(siteSecret(db), subscriber.id, 'manage', subscriber.linkGeneration);
}

export function confirmSubscription(db: Db, token: string | null, now: number): { subscriberId: string; manageToken: string } {
  const row = subscriberForLink(db, token, 'confirm', now);
  if (row.status !== 'confirmed')
    db.update(subscribers).set({ status: 'confirmed', confirmedAt: now, permanentFailures: 0, updatedAt: now }).where(eq(subscribers.id, row.id)).run();
  return { subscriberId: row.id, manageToken: manageToken(db, row) };
}

export function findSubscriberByToken(db: Db, token: string | null, now: number) {
  const row = subscriberForLink(db, token, 'manage', now);
  return { ...row, componentIds: row.componentIds ? (JSON.parse(row.componentIds) as string[]) : null };
}

export function updatePreferences(db: Db, token: string | null, input: z.input<typeof preferences>, now: number): void {
  const subscriber = findSubscriberByToken(db, token, now);
  const data = parseInput(preferences, input, 'preferences');
  checkComponents(db, data.componentIds, loadPageScope(db, subscriber.pageId ?? undefined));
  db.update(subscribers)
    .set({
      componentIds: data.componentIds ? JSON.stringify(data.componentIds) : null,
      locale: data.locale,
      ...(data.timeZone !== undefined ? { timeZone: data.timeZone } : {}),
      updatedAt: now,
    })
    .where(eq(subscribers.id, subscriber.id))
    .run();
}

/**
 * Ends a subscription; used by the manage page and by one-click unsubscribe,
 * which needs no session or confirmation. Every link sent so far expires with
 * it: a forwarded email cannot be used to look at or restart the subscription.
 */
export function unsubscribe(db: Db, token: string | null, now: number): void {
  const subscriber = findSubscriberByToken(db, token, now);
  db.update(subscribers)
    .set({ status: 'unsubscribed', linkGeneration: sql`${subscribers.linkGeneration} + 1`, updatedAt: now })
    .where(eq(subscribers.id, subscriber.id))
    .run();
}

// Browser push: a reader who will not give an email address can still take a
// notification from their browser. The browser subscribes through its push
// service (Google's, Mozilla's, Microsoft's or Apple's) with this site's VAPID
// public key and hands us the endpoint and its keys; every notification is
// then encrypted to those keys (RFC 8291), signed with the VAPID private key
// (RFC 8292) and posted to the endpoint through the outbox like an email.
import { and, eq, isNull } from 'drizzle-orm';
import webPush from 'web-push';
import { z } from 'zod';
import type { Db } from '../../../db/open';
import { pushSubscriptions, siteState } from '../../../db/schema';
import { addressKey } from '../auth/address-key';
import { ShiraseError, fieldIssue } from '../errors';
import { newPublicId } from '../ids';
import { LOCALES, t, type Locale } from '../i18n/messages';
import { parseInput, publicIdField } from '../validation';
import { checkComponents } from './subscriptions';
import type { PageScope } from '../pages/page-scope';
import { throttle } from './throttle';
import { literalHostAllowed, onKnownReceiver, type KnownReceivers } from './webhook-request';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

const known = new WeakMap<object, VapidKeys>();

/**
 * This site's VAPID key pair, made the first time it is asked for (at first
 * start) and kept in the database: a browser's subscription is bound to the
 * public key, so a new pair would silently end every subscription.
 */
export function vapidKeys(db: Db): VapidKeys {
  const cached = known.get(db.$client);
  if (cached) return cached;
  const fresh = webPush.generateVAPIDKeys();
  // Two processes starting together both insert; the first pair written is the one both read back.
  db.insert(siteState).values({ key: 'vapid_public_key', value: fresh.publicKey }).onConflictDoNothing().run();
  db.insert(siteState).values({ key: 'vapid_private_key', value: fresh.privateKey }).onConflictDoNothing().run();
  const read = (key: string) => db.select({ value: siteState.value }).from(siteState).where(eq(siteState.key, key)).get()!.value;
  const keys = { publicKey: read('vapid_public_key'), privateKey: read('vapid_private_key') };
  known.set(db.$client, keys);
  return keys;
}

/** The push services of the browsers people use; any other endpoint is refused unless PUSH_SERVICE_HOSTS names it. */
const PUSH_SERVICES: KnownReceivers = {
  hosts: ['fcm.googleapis.com', 'android.googleapis.com', 'updates.push.services.mozilla.com', 'web.push.apple.com'],
  suffixes: ['.push.services.mozilla.com', '.notify.windows.com', '.push.apple.com'],
};

/** base64url of exactly `bytes` bytes, as PushSubscription.toJSON() writes keys. */
const base64urlOf = (bytes: number) =>
  z.string().refine((v) => /^[A-Za-z0-9_-]+={0,2}$/.test(v) && Buffer.from(v, 'base64url').length === bytes, 'errors.push.keys');

const subscriptionInput = z.object({
  endpoint: z.string().min(1, 'errors.push.endpoint').max(2000, 'errors.push.endpoint'),
  keys: z.object({
    // An uncompressed P-256 point (65 bytes) and a 16-byte secret: anything else cannot be encrypted to.
    p256dh: base64urlOf(65),
    auth: base64urlOf(16),
  }),
});

const browserInput = z.object({
  subscription: subscriptionInput,
  componentIds: z.array(publicIdField()).max(500).nullable().default(null),
  locale: z.enum(LOCALES).default('en'),
  /** A browser whose subscription was renewed (pushsubscriptionchange) names the endpoint it replaces, so its choices carry over. */
  replaces: z.string().max(2000).optional(),
});

interface EndpointOptions {
  extraHosts: readonly string[];
  allowPrivate: boolean;
}

function checkedEndpoint(endpoint: string, options: EndpointOptions): void {
  if (!onKnownReceiver(endpoint, PUSH_SERVICES, options.extraHosts) || !literalHostAllowed(new URL(endpoint), options.allowPrivate)) {
    throw new ShiraseError('VALIDATION', 'errors.push.endpoint', { fields: [fieldIssue('subscription', 'errors.push.endpoint')] });
  }
}

/**
 * A browser asks for notifications: they start at once, since only the
 * browser holding the keys can read them. Asking again from the same browser
 * (the same endpoint) updates its choices and turns it back on. Throttled per
 * client, like the other subscription forms.
 */
export function subscribeBrowser(db: Db, input: unknown, page: PageScope, client: string, now: number, options: EndpointOptions): { id: string } {
  const data = parseInput(browserInput, input, 'pushSubscription');
  checkedEndpoint(data.subscription.endpoint, options);
  checkComponents(db, data.componentIds, page);
  throttle(db, [`subscribe-client:${addressKey(client)}`], 20, 3_600_000, now);
  return db.transaction((tx) => {
    const replaced =
      data.replaces && data.replaces !== data.subscription.endpoint
        ? tx.select().from(pushSubscriptions).where(eq(pushSubscriptions.endpoint, data.replaces)).get()
        : undefined;
    if (replaced) tx.update(pushSubscriptions).set({ disabledAt: now, disabledReason: 'gone' }).where(eq(pushSubscriptions.id, replaced.id)).run();
    const values = {
      p256dh: data.subscription.keys.p256dh,
      auth: data.subscription.keys.auth,
      componentIds: replaced ? replaced.componentIds : data.componentIds ? JSON.stringify(data.componentIds) : null,
      locale: replaced?.locale ?? data.locale,
      pageId: page.id,
      disabledAt: null,
      disabledReason: null,
    };
    const existing = tx.select({ id: pushSubscriptions.id }).from(pushSubscriptions).where(eq(pushSubscriptions.endpoint, data.subscription.endpoint)).get();
    if (existing) {
      tx.update(pushSubscriptions).set(values).where(eq(pushSubscriptions.id, existing.id)).run();
      return { id: existing.id };
    }
    const id = newPublicId();
    tx.insert(pushSubscriptions)
      .values({ id, endpoint: data.subscription.endpoint, createdAt: now, ...values })
      .run();
    return { id };
  });
}

/** The browser turned notifications off (or the reader did, from the page): nothing more is sent to that endpoint. */
export function unsubscribeBrowser(db: Db, endpoint: unknown, now: number): void {
  if (typeof endpoint !== 'string' || endpoint.length === 0 || endpoint.length > 2000) {
    throw new ShiraseError('VALIDATION', 'errors.push.endpoint', { fields: [fieldIssue('endpoint', 'errors.push.endpoint')] });
  }
  db.update(pushSubscriptions)
    .set({ disabledAt: now, disabledReason: 'reader' })
    .where(and(eq(pushSubscriptions.endpoint, endpoint), isNull(pushSubscriptions.disabledAt)))
    .run();
}

/** How many browsers take notifications, for the admin. */
export function countBrowserSubscriptions(db: Db): { on: number; ended: number } {
  const rows = db.$client.prepare('select disabled_at is null as on_now, count(*) as n from push_subscriptions group by 1').all() as {
    on_now: number;
    n: number;
  }[];
  return { on: rows.find((r) => r.on_now === 1)?.n ?? 0, ended: rows.find((r) => r.on_now === 0)?.n ?? 0 };
}

/**
 * What public/push.js needs on a form that turns notifications on: the key
 * browsers subscribe with, where to send the subscription (in the page's
 * language, so errors come back in it), and the texts it shows.
 */
export function pushFormAttributes(db: Db, locale: Locale, link: (path: string) => string): Record<string, string> {
  const texts = Object.fromEntries((['on', 'off', 'turnOff', 'working', 'denied', 'unsupported', 'failed'] as const).map((k) => [k, t(locale, `push.${k}`)]));
  return { 'data-push': '', 'data-key': vapidKeys(db).publicKey, 'data-endpoint': link('/subscribe/push'), 'data-texts': JSON.stringify(texts) };
}

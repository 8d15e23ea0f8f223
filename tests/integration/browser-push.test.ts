import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { outbox, pushSubscriptions, siteState } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { startPushService, type BrowserSubscription } from '../support/push-service';
import { until } from '../support/until';
import { signedInStaff } from '../support/staff';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { loadComponentTree } from '../../src/lib/components/load-components';

// Browser push end to end against web-push-testing, a real push service on
// loopback that verifies each message's VAPID signature and decrypts it with
// the subscription's keys. PUSH_SERVICE_HOSTS lets browsers subscribe through
// it, as a self-hosted push service would be listed.

let site: TestSite;
const push = await startPushService();

beforeAll(async () => {
  site = await startTestSite({ seed: true, env: { WEBHOOK_ALLOW_PRIVATE: '1', PUSH_SERVICE_HOSTS: push.host } });
});
afterAll(async () => {
  await site?.close();
  await push.close();
});

const component = (name: string) => loadComponentTree(site.db, Date.now()).all.find((c) => c.name === name)!;
const siteKey = () => site.db.select().from(siteState).where(eq(siteState.key, 'vapid_public_key')).get()!.value;

/** What the page's script sends once the browser has subscribed. */
function turnOn(
  subscription: Omit<BrowserSubscription, 'clientHash'>,
  choices: { componentIds?: string[] | null; locale?: string } = {},
  path = '/subscribe/push',
) {
  return fetch(`${site.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      subscription: { endpoint: subscription.endpoint, keys: subscription.keys },
      componentIds: choices.componentIds ?? null,
      locale: choices.locale ?? 'en',
    }),
  });
}

const incident = (name: string, componentName?: string) =>
  openIncident(
    site.db,
    {
      name,
      status: 'investigating',
      body: `${name}: we are looking into it.`,
      notify: true,
      components: componentName ? [{ componentId: component(componentName).id, status: 'partial_outage' }] : [],
    },
    { now: Date.now() },
  ).incidentId;

describe('browser push', () => {
  it('offers the button with the site’s key in both languages, and keeps one key pair', async () => {
    const key = siteKey();
    // An uncompressed P-256 public key, as browsers take it.
    expect(Buffer.from(key, 'base64url')).toHaveLength(65);
    const en = await (await fetch(`${site.url}/`)).text();
    expect(en).toContain(`data-key="${key}"`);
    expect(en).toContain('Notify me in this browser');
    const ja = await (await fetch(`${site.url}/ja/`)).text();
    expect(ja).toContain('このブラウザーで通知を受け取る');
    expect(ja).toContain('data-endpoint="/ja/subscribe/push"');
    const sw = await fetch(`${site.url}/sw.js`);
    expect(sw.status).toBe(200);
    expect(sw.headers.get('content-type')).toContain('javascript');
    expect(await sw.text()).toContain("addEventListener('push'");
  });

  it('delivers a notification the push service accepts and decrypts, in the browser’s language, linking to the incident', async () => {
    const browser = await push.subscribe(siteKey());
    const answer = await turnOn(browser, { locale: 'ja' });
    expect(answer.status).toBe(201);
    const id = incident('Checkout errors');
    const [message] = await until(async () => {
      const messages = await push.messages(browser.clientHash);
      return messages.length > 0 ? messages : undefined;
    }, 15_000);
    const shown = JSON.parse(message!) as Record<string, unknown>;
    expect(shown).toMatchObject({ title: 'Checkout errors', lang: 'ja', tag: id, url: `${site.config.siteUrl}/ja/incidents/${id}` });
    // The status in Japanese, then the update's text.
    expect(shown.body).toContain('調査中');
    expect(shown.body).toContain('we are looking into it');
    const row = site.db
      .select()
      .from(outbox)
      .where(eq(outbox.channel, 'push'))
      .all()
      .find((r) => r.status === 'sent');
    expect(row?.response).toBe('HTTP 201');
  });

  it('sends a browser only what touches the components it chose', async () => {
    const browser = await push.subscribe(siteKey());
    expect((await turnOn(browser, { componentIds: [component('API').id] })).status).toBe(201);
    incident('Sign-in slow', 'Sign-in');
    const apiIncident = incident('API timeouts', 'API');
    const [message] = await until(async () => {
      const messages = await push.messages(browser.clientHash);
      return messages.length > 0 ? messages : undefined;
    }, 15_000);
    expect(JSON.parse(message!)).toMatchObject({ title: 'API timeouts', tag: apiIncident });
    // Once the API incident's notification is in, the dashboard one would have been too, had it been queued.
    const mine = site.db.select().from(pushSubscriptions).where(eq(pushSubscriptions.endpoint, browser.endpoint)).get()!;
    expect(site.db.select().from(outbox).where(eq(outbox.pushSubscriptionId, mine.id)).all()).toHaveLength(1);
  });

  it('ends a subscription the push service says is gone (410), and one the reader turns off', async () => {
    const gone = await push.subscribe(siteKey());
    const leaving = await push.subscribe(siteKey());
    expect((await turnOn(gone)).status).toBe(201);
    expect((await turnOn(leaving)).status).toBe(201);
    await push.expire(gone.clientHash);
    const off = await fetch(`${site.url}/subscribe/push`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: leaving.endpoint }),
    });
    expect(off.status).toBe(204);

    incident('Login loops');
    const row = (endpoint: string) => site.db.select().from(pushSubscriptions).where(eq(pushSubscriptions.endpoint, endpoint)).get()!;
    const ended = await until(() => (row(gone.endpoint).disabledAt !== null ? row(gone.endpoint) : undefined), 15_000);
    expect(ended.disabledReason).toBe('gone');
    expect(site.db.select().from(outbox).where(eq(outbox.pushSubscriptionId, ended.id)).get()).toMatchObject({
      status: 'failed',
      lastError: 'http_status:410',
    });
    expect(row(leaving.endpoint).disabledReason).toBe('reader');
    // Neither is queued for anything afterwards, and the reader who left heard nothing.
    incident('Search down');
    expect(site.db.select().from(outbox).where(eq(outbox.pushSubscriptionId, ended.id)).all()).toHaveLength(1);
    expect(
      site.db
        .select()
        .from(outbox)
        .where(eq(outbox.pushSubscriptionId, row(leaving.endpoint).id))
        .all(),
    ).toHaveLength(0);
    expect(await push.messages(leaving.clientHash)).toEqual([]);
    // Admins see how many browsers listen, and which delivery the push service refused.
    const admin = await signedInStaff(site);
    const page = await (await admin.get('/admin/subscribers')).text();
    expect(page).toMatch(/Browsers taking notifications: \d+ \(2 turned off or gone\)/);
    expect(page).toContain(`a browser (through ${push.host})`);
  });

  it('refuses endpoints that are not a push service, keys nothing can be encrypted to, and bodies that are not JSON', async () => {
    const browser = await push.subscribe(siteKey());
    const refusals: Array<[Omit<BrowserSubscription, 'clientHash'>, string]> = [
      [{ ...browser, endpoint: 'https://example.com/notify/x' }, 'push service'],
      [{ ...browser, endpoint: 'http://169.254.169.254/latest/meta-data' }, 'push service'],
      [{ ...browser, endpoint: 'https://fcm.googleapis.com:8443/fcm/send/x' }, 'push service'],
      [{ ...browser, keys: { p256dh: 'AAAA', auth: browser.keys.auth } }, 'encrypted'],
      [{ ...browser, keys: { p256dh: browser.keys.p256dh, auth: Buffer.alloc(32).toString('base64url') } }, 'encrypted'],
    ];
    for (const [subscription, says] of refusals) {
      const answer = await turnOn(subscription);
      expect(answer.status, subscription.endpoint).toBe(422);
      const body = (await answer.json()) as { error: { code: string; message: string; fields: { message: string }[] } };
      expect(body.error.code).toBe('VALIDATION');
      expect(body.error.fields.map((f) => f.message).join(' ')).toContain(says);
    }
    // A scope of no component, or of one that does not exist, would never hear anything: refused as on the email form.
    for (const componentIds of [[], ['zzzzzzzzzzzz']]) expect((await turnOn(browser, { componentIds })).status, JSON.stringify(componentIds)).toBe(422);
    // Japanese readers are told in Japanese.
    const ja = (await (await turnOn({ ...browser, endpoint: 'https://example.com/x' }, {}, '/ja/subscribe/push')).json()) as {
      error: { fields: { message: string }[] };
    };
    expect(ja.error.fields[0]!.message).toContain('プッシュサービス');
    const asText = await fetch(`${site.url}/subscribe/push`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: site.url },
      body: JSON.stringify({ subscription: browser }),
    });
    expect(asText.status).toBe(400);
    const huge = await fetch(`${site.url}/subscribe/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subscription: browser, pad: 'x'.repeat(300 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect(site.db.select().from(pushSubscriptions).where(eq(pushSubscriptions.endpoint, browser.endpoint)).get()).toBeUndefined();
  });
});

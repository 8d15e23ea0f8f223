import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { notificationEvents, outbox, webhooks } from '../../db/schema';
import { composeWebhook } from '../../src/lib/notifications/compose';
import type { Db } from '../../db/open';
import { freshDatabase, startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { startReceiver } from '../support/http-receiver';
import { parseConfig } from '../../src/lib/config';
import { createCourier } from '../../src/lib/notifications/courier';
import { deliverBatch } from '../../src/lib/notifications/deliver';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { newPublicId } from '../../src/lib/ids';
import { postWebhookRequest } from '../../src/lib/notifications/webhook-request';
import { until } from '../support/until';

/** A webhook row written straight to the database, as if it had been added before any check existed. */
function rawWebhook(db: Db, url: string) {
  const id = newPublicId();
  db.insert(webhooks).values({ id, url, secret: 'whsec_test', createdAt: Date.now() }).run();
  return id;
}

describe('webhooks without WEBHOOK_ALLOW_PRIVATE', () => {
  let db: Db;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    db = freshDatabase({ seed: false }).db;
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    db?.$client.close();
  });

  it('refuses loopback, private, link-local and mapped addresses, written as addresses or as a name that resolves to them', async () => {
    const port = receiver.port;
    const targets = [
      `http://127.0.0.1:${port}/hook`,
      `http://localhost:${port}/hook`,
      `http://[::1]:${port}/hook`,
      `http://[::ffff:127.0.0.1]:${port}/hook`,
      `http://0.0.0.0:${port}/hook`,
      `http://2130706433:${port}/hook`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/hook',
    ];
    const ids = targets.map((url) => rawWebhook(db, url));
    const config = parseConfig({ DATABASE_PATH: ':memory:', MAIL_DIR: '/nonexistent' });
    expect(config.webhookAllowPrivate).toBe(false);
    openIncident(db, { name: 'Reaching inside', status: 'investigating', body: 'x', notify: true }, { now: Date.now() });
    const courier = createCourier(config);
    await deliverBatch(db, { config, courier });
    courier.close();
    for (const [i, id] of ids.entries()) {
      const row = db.select().from(outbox).where(eq(outbox.webhookId, id)).get()!;
      expect([targets[i], row.status, row.lastError]).toEqual([targets[i], 'failed', 'blocked_address']);
    }
    expect(receiver.received).toHaveLength(0);
  });

  it('classifies failures without passing on raw socket errors', async () => {
    const closed = await startReceiver();
    await closed.close();
    const message = { url: `http://127.0.0.1:${closed.port}/`, body: '{}', headers: {} };
    expect(await postWebhookRequest(message, { allowPrivate: true })).toEqual({ ok: false, permanent: false, error: 'refused' });
    expect(await postWebhookRequest({ ...message, url: 'http://no-such-host.invalid/' }, { allowPrivate: true })).toMatchObject({
      ok: false,
      error: 'dns_failure',
    });
    expect(await postWebhookRequest({ ...message, url: 'ftp://example.com/' }, { allowPrivate: true })).toEqual({
      ok: false,
      permanent: true,
      error: 'invalid_url',
    });
    const silent = await startReceiver(() => {});
    try {
      const started = Date.now();
      expect(await postWebhookRequest({ ...message, url: silent.url }, { allowPrivate: true, timeoutMs: 300 })).toEqual({
        ok: false,
        permanent: false,
        error: 'timeout',
      });
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await silent.close();
    }
  });
});

describe('webhooks with WEBHOOK_ALLOW_PRIVATE=1', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await startTestSite({ seed: true, env: { WEBHOOK_ALLOW_PRIVATE: '1' } });
  });
  afterAll(() => site?.close());

  it('delivers the signed payload to a receiver on loopback', async () => {
    const receiver = await startReceiver();
    try {
      const admin = await signedInStaff(site);
      const added = await admin.post('/admin/subscribers', { intent: 'add_webhook', url: `${receiver.url}/hook`, description: 'loopback' });
      expect(added.status).toBe(200);
      const addedPage = await added.text();
      const secret = /<code class="secret" data-secret>([^<]+)<\/code>/.exec(addedPage)![1]!;
      // Shown at the top of the page, above every panel, with a way to copy it.
      expect(addedPage.indexOf(secret)).toBeLessThan(addedPage.indexOf('id="deliveries"'));
      expect(addedPage).toContain('data-copy-secret');
      openIncident(site.db, { name: 'Signed for loopback', status: 'investigating', body: 'x', notify: true }, { now: Date.now() });
      const hit = await until(() => receiver.received.find((r) => r.body.includes('Signed for loopback')));
      // Standard Webhooks: the specification's own library verifies the headers and the body.
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
      const verified = new Webhook(secret).verify(hit.body, hit.headers as Record<string, string>) as { version: number; incident: { name: string } };
      expect(verified.incident.name).toBe('Signed for loopback');
      expect(hit.headers['webhook-id']).toMatch(/^msg_event-\d+\./);
      expect(() => new Webhook(secret).verify(hit.body.replace('Signed', 'Forged'), hit.headers as Record<string, string>)).toThrow();
      // The payload follows its published schema, version field included.
      const validate = new Ajv({ strict: false }).compile(JSON.parse(readFileSync('docs/webhook-payload.schema.json', 'utf8')));
      expect(validate(JSON.parse(hit.body)), JSON.stringify(validate.errors)).toBe(true);
      expect(verified.version).toBe(1);
      // The first version's headers are still sent, for receivers that check them.
      const expected = createHmac('sha256', secret).update(`${hit.headers['x-shirase-timestamp']}.${hit.body}`).digest('hex');
      expect(hit.headers['x-shirase-signature']).toBe(`sha256=${expected}`);
      // A retry an hour later is signed with its own time, so receivers' five-minute tolerance accepts it.
      const row = site.db.select().from(outbox).where(eq(outbox.channel, 'webhook')).all().at(-1)!;
      site.db
        .update(notificationEvents)
        .set({ createdAt: Date.now() - 3_600_000 })
        .where(eq(notificationEvents.id, row.eventId))
        .run();
      const retry = composeWebhook(site.db, site.config, row, Date.now());
      expect(() => new Webhook(secret).verify(retry.body, retry.headers)).not.toThrow();
      expect(retry.headers['webhook-id']).toBe(hit.headers['webhook-id']);
    } finally {
      await receiver.close();
    }
  });

  it('does not follow a redirect and tells staff why', async () => {
    const target = await startReceiver();
    const redirecting = await startReceiver((_req, res) => {
      res.writeHead(302, { location: `${target.url}/elsewhere` });
      res.end();
    });
    try {
      const id = rawWebhook(site.db, `${redirecting.url}/hook`);
      openIncident(site.db, { name: 'Redirected', status: 'investigating', body: 'x', notify: true }, { now: Date.now() });
      const row = await until(() =>
        site.db
          .select()
          .from(outbox)
          .where(eq(outbox.webhookId, id))
          .all()
          .find((r) => r.status === 'failed'),
      );
      expect(row.lastError).toBe('redirect:302');
      expect(redirecting.received.length).toBeGreaterThan(0);
      expect(target.received).toHaveLength(0);
      const admin = await signedInStaff(site);
      expect(await (await admin.get('/admin/subscribers')).text()).toContain('answered with a redirect (HTTP 302), which is not followed');
    } finally {
      await redirecting.close();
      await target.close();
    }
  });

  it('reads only the start of a huge answer and drops the connection', async () => {
    let written = 0;
    let closed = false;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const flood = await startReceiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.on('close', () => (closed = true));
      const pump = () => {
        while (!closed && written < 2 * 1024 ** 3) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    });
    try {
      const id = rawWebhook(site.db, `${flood.url}/hook`);
      openIncident(site.db, { name: 'Flooded', status: 'investigating', body: 'x', notify: true }, { now: Date.now() });
      const row = await until(() =>
        site.db
          .select()
          .from(outbox)
          .where(eq(outbox.webhookId, id))
          .all()
          .find((r) => r.status === 'sent'),
      );
      expect(row.response).toBe('HTTP 200');
      await until(() => closed);
      // Socket buffers hold a few MB at most; the 2 GiB the receiver offered were never read.
      expect(written).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await flood.close();
    }
  });
});

describe('adding a webhook', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await startTestSite({ seed: false });
  });
  afterAll(() => site?.close());

  it('accepts only http and https addresses, and refuses addresses on private networks', async () => {
    const admin = await signedInStaff(site);
    for (const url of [
      'ftp://example.com/hook',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'http://127.0.0.1:8080/hook',
      'http://[::ffff:10.0.0.1]/hook',
      'http://169.254.169.254/',
    ]) {
      const res = await admin.post('/admin/subscribers', { intent: 'add_webhook', url });
      expect(res.status, url).toBe(422);
    }
    expect(site.db.select().from(webhooks).all()).toHaveLength(0);
    expect((await admin.post('/admin/subscribers', { intent: 'add_webhook', url: 'https://hooks.example.com/status' })).status).toBe(200);
  });
});

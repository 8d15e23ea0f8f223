import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { outbox, subscribers } from '../../db/schema';
import type { Db } from '../../db/open';
import { freshDatabase } from '../support/test-server';
import { startSmtpSink } from '../support/smtp-sink';
import { startReceiver } from '../support/http-receiver';
import { parseConfig } from '../../src/lib/config';
import { createCourier } from '../../src/lib/notifications/courier';
import { deliverBatch } from '../../src/lib/notifications/deliver';
import { deliveryReport } from '../../src/lib/notifications/manage-recipients';
import { addWebhook } from '../../src/lib/notifications/add-webhook';
import { disableWebhook } from '../../src/lib/notifications/disable-webhook';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { newPublicId } from '../../src/lib/ids';
import { unsubscribe } from '../../src/lib/notifications/subscriptions';
import { signToken, siteSecret } from '../../src/lib/notifications/signed-tokens';

let db: Db;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  db = freshDatabase({ seed: false }).db;
  sink = await startSmtpSink();
  receiver = await startReceiver();
});
afterAll(async () => {
  await sink?.close();
  await receiver?.close();
  db?.$client.close();
});

function confirmed(email: string) {
  const id = newPublicId();
  db.insert(subscribers).values({ id, email, locale: 'en', componentIds: null, status: 'confirmed', createdAt: Date.now(), updatedAt: Date.now() }).run();
  return id;
}

describe('a recipient that leaves after a notice is queued', () => {
  it('receives nothing, and the row says why it was not sent', async () => {
    const stays = confirmed('stays@example.com');
    const leaves = confirmed('leaves@example.com');
    const paused = confirmed('paused@example.com');
    const hook = addWebhook(db, { url: `${receiver.url}/hook` }, { now: Date.now() }, { allowPrivate: true });
    openIncident(db, { name: 'Queued before leaving', status: 'investigating', body: 'x', notify: true }, { now: Date.now() });
    expect(db.select().from(outbox).all()).toHaveLength(4);

    // After queueing: one unsubscribes, one is paused, the webhook is disabled.
    unsubscribe(db, signToken(siteSecret(db), leaves, 'manage', 0), Date.now());
    db.update(subscribers).set({ status: 'paused' }).where(eq(subscribers.id, paused)).run();
    disableWebhook(db, hook.id, { now: Date.now() });

    const config = parseConfig({ DATABASE_PATH: ':memory:', SMTP_URL: sink.url, MAIL_PER_SECOND: '1000', WEBHOOK_ALLOW_PRIVATE: '1' });
    const courier = createCourier(config);
    const tally = await deliverBatch(db, { config, courier });
    courier.close();
    expect(tally).toMatchObject({ claimed: 4, sent: 1, skipped: 3 });
    expect(sink.received.map((m) => m.to)).toEqual(['stays@example.com']);
    expect(receiver.received).toHaveLength(0);

    const rows = db.select().from(outbox).all();
    const reason = (where: (r: (typeof rows)[number]) => boolean) => rows.filter(where).map((r) => [r.status, r.lastError]);
    expect(reason((r) => r.subscriberId === stays)).toEqual([['sent', null]]);
    expect(reason((r) => r.subscriberId === leaves)).toEqual([['failed', 'skipped:unsubscribed']]);
    expect(reason((r) => r.subscriberId === paused)).toEqual([['failed', 'skipped:paused']]);
    expect(reason((r) => r.webhookId === hook.id)).toEqual([['failed', 'skipped:webhook_disabled']]);
    // Staff see them counted apart from failures, and never as errors to chase.
    const [event] = deliveryReport(db);
    expect(event).toMatchObject({ total: 4, sent: 1, failed: 0, skipped: 3 });
    expect(event!.failures).toHaveLength(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { outbox, subscribers } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { startSmtpSink } from '../support/smtp-sink';
import { startFaultyProxy } from '../support/faulty-proxy';
import { newPublicId } from '../../src/lib/ids';
import { openIncident } from '../../src/lib/incidents/open-incident';

let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let proxy: Awaited<ReturnType<typeof startFaultyProxy>>;
let site: TestSite;

beforeAll(async () => {
  sink = await startSmtpSink();
  proxy = await startFaultyProxy(sink.url);
  site = await startTestSite({ seed: true, env: { SMTP_URL: proxy.url, MAIL_TIMEOUT_SECONDS: '1' }, retryBaseMs: 300 });
});
afterAll(async () => {
  await site?.close();
  await proxy?.close();
  await sink?.close();
});

function subscriber(email: string): string {
  const id = newPublicId();
  site.db.insert(subscribers).values({ id, email, locale: 'en', componentIds: null, status: 'confirmed', createdAt: Date.now(), updatedAt: Date.now() }).run();
  return id;
}
const rowFor = (id: string) => site.db.select().from(outbox).where(eq(outbox.subscriberId, id)).all().at(-1)!;
async function until(check: () => boolean, limitMs = 15_000) {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('an SMTP server in trouble', () => {
  it('that drops connections: the message is retried and delivered once it recovers', async () => {
    proxy.set('drop');
    const id = subscriber('dropped@example.com');
    openIncident(site.db, { name: 'During drops', status: 'investigating', body: 'x', notify: true }, { now: Date.now() });
    await until(() => rowFor(id).attempts >= 2);
    expect(rowFor(id).lastError).toBeTruthy();
    proxy.set('none');
    await until(() => rowFor(id).status === 'sent');
    expect(sink.for('dropped@example.com')).toHaveLength(1);
  });

  it('that stalls: the page keeps answering, retries back off instead of spinning, and delivery resumes', async () => {
    proxy.set('stall');
    const id = subscriber('stalled@example.com');
    openIncident(site.db, { name: 'During a stall', status: 'investigating', body: 'x', notify: true }, { now: Date.now() });
    await until(() => rowFor(id).attempts >= 1 && rowFor(id).status === 'pending', 10_000);
    // The status page is served from memory, whatever the mail server does.
    for (let i = 0; i < 20; i++) expect((await fetch(site.url + '/')).status).toBe(200);
    const connectionsBefore = proxy.connections;
    await new Promise((r) => setTimeout(r, 1_500));
    // Backing off: a handful of attempts over seconds, not a loop hammering the server.
    expect(proxy.connections - connectionsBefore).toBeLessThan(10);
    expect(rowFor(id).attempts).toBeLessThan(6);
    proxy.set('none');
    await until(() => rowFor(id).status === 'sent', 20_000);
    expect(sink.for('stalled@example.com')).toHaveLength(1);
  });
});

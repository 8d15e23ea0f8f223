import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { outbox, subscribers } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { decodeQuotedPrintable, startSmtpSink, type Answer } from '../support/smtp-sink';
import { postForm, signedInStaff } from '../support/staff';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { postIncidentUpdate } from '../../src/lib/incidents/post-update';
import { newPublicId } from '../../src/lib/ids';
import { loadComponentTree } from '../../src/lib/views/components';
import { PAUSE_AFTER_PERMANENT_FAILURES } from '../../src/lib/notifications/deliver';
import { until } from '../support/until';

let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let site: TestSite;
const answers = new Map<string, (attempt: number) => Answer>();

beforeAll(async () => {
  sink = await startSmtpSink({ answer: (to, n) => answers.get(to)?.(n) ?? 'accept' });
  site = await startTestSite({ seed: true, env: { SMTP_URL: sink.url, MAIL_PER_SECOND: '1000' }, retryBaseMs: 50 });
});
afterAll(async () => {
  await site?.close();
  await sink?.close();
});

const component = (name: string) => loadComponentTree(site.db, Date.now()).all.find((c) => c.name === name)!;

/** Subscribes directly in the database, as a confirmed reader, for tests about delivery. */
function confirmedSubscriber(email: string, componentIds: string[] | null = null) {
  const id = newPublicId();
  site.db.insert(subscribers).values({ id, email, locale: 'en', componentIds: componentIds ? JSON.stringify(componentIds) : null, status: 'confirmed', createdAt: Date.now(), updatedAt: Date.now() }).run();
  return id;
}

describe('double opt-in', () => {
  it('subscribes, confirms from the emailed link, and then receives an update with its text', async () => {
    const email = 'reader-one@example.com';
    const form = await postForm(site, '/subscribe', { email, scope: 'all', locale: 'en' });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe('/subscribe/sent');
    const confirmMail = await until(() => sink.for(email)[0]);
    expect(confirmMail.subject).toContain('Confirm your subscription');
    const link = /https?:\/\/\S+?\/subscribe\/confirm\?token=[\w.-]+/.exec(decodeQuotedPrintable(confirmMail.raw))![0];

    // Nothing is sent before confirmation.
    const { incidentId } = openIncident(site.db, { name: 'Before confirming', status: 'investigating', body: 'Not for the pending reader.', notify: true }, { now: Date.now() });
    const path = new URL(link).pathname + new URL(link).search;
    const confirmed = await postForm(site, path, {});
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('You are subscribed');

    postIncidentUpdate(site.db, incidentId, { status: 'identified', body: 'The queue consumer is stuck; restarting it.', notify: true }, { now: Date.now() });
    const update = await until(() => sink.for(email).find((m) => m.subject.includes('Before confirming')));
    expect(sink.for(email).filter((m) => m.subject.includes('Before confirming'))).toHaveLength(1);
    expect(decodeQuotedPrintable(update.raw)).toContain('The queue consumer is stuck; restarting it.');
    expect(update.header('List-Unsubscribe')).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?token=/);
    expect(update.header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(decodeQuotedPrintable(update.raw)).toContain('(Asia/Tokyo)');
  });

  it('answers the same for a known address and a new one, and keeps the typed text on a bad address', async () => {
    const a = await postForm(site, '/subscribe', { email: 'reader-one@example.com', scope: 'all', locale: 'en' });
    const b = await postForm(site, '/subscribe', { email: `brand-new-${Date.now()}@example.com`, scope: 'all', locale: 'en' });
    expect([a.status, a.headers.get('location')]).toEqual([b.status, b.headers.get('location')]);
    const bad = await postForm(site, '/subscribe', { email: 'not-an-address', scope: 'all', locale: 'en' });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('value="not-an-address"');
    expect(html).toContain('Give an email address such as name@example.com.');
  });

  it('limits how often one address can be asked for', async () => {
    const email = `rate-${Date.now()}@example.com`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await postForm(site, '/subscribe', { email, scope: 'all', locale: 'en' })).status);
    expect(statuses).toEqual([303, 303, 303, 429]);
  });
});

describe('what reaches whom', () => {
  it('sends only to subscribers whose components an incident touches', async () => {
    const api = component('API');
    const web = component('Web app');
    confirmedSubscriber('api-only@example.com', [api.id]);
    confirmedSubscriber('web-only@example.com', [web.id]);
    openIncident(site.db, { name: 'API latency', status: 'investigating', body: 'Slow API.', components: [{ componentId: api.id, status: 'degraded_performance' }], notify: true }, { now: Date.now() });
    await until(() => sink.for('api-only@example.com').find((m) => m.subject.includes('API latency')));
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.for('web-only@example.com').some((m) => m.subject.includes('API latency'))).toBe(false);
  });

  it('keeps line breaks typed into an incident name out of the mail headers', async () => {
    confirmedSubscriber('headers@example.com');
    openIncident(site.db, { name: 'Outage\r\nBcc: victim@example.com', status: 'investigating', body: 'x', notify: true }, { now: Date.now() });
    const mail = await until(() => sink.for('headers@example.com').find((m) => m.subject.includes('Outage')));
    expect(mail.header('Bcc')).toBeUndefined();
    expect(sink.for('victim@example.com')).toHaveLength(0);
  });
});

describe('unsubscribing', () => {
  it('works with one POST to the List-Unsubscribe address, without cookies or a confirmation step', async () => {
    const id = confirmedSubscriber('leaver@example.com');
    openIncident(site.db, { name: 'For the leaver', status: 'investigating', body: 'x', notify: true }, { now: Date.now() });
    const mail = await until(() => sink.for('leaver@example.com')[0]);
    const url = mail.header('List-Unsubscribe')!.slice(1, -1);
    const res = await fetch(url, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
    expect(site.db.select().from(subscribers).where(eq(subscribers.id, id)).get()!.status).toBe('unsubscribed');
  });

  it('refuses a forged or altered token and changes nothing', async () => {
    const id = confirmedSubscriber('stays@example.com');
    const forged = `${id}.manage.0.${'A'.repeat(43)}`;
    expect((await fetch(`${site.url}/unsubscribe?token=${forged}`, { method: 'POST' })).status).toBe(403);
    expect((await fetch(`${site.url}/subscribe/manage?token=${forged}`)).status).toBe(403);
    expect((await fetch(`${site.url}/unsubscribe?token=nonsense`, { method: 'POST' })).status).toBe(403);
    expect(site.db.select().from(subscribers).where(eq(subscribers.id, id)).get()!.status).toBe('confirmed');
  });
});

describe('delivery that survives trouble', () => {
  it('retries after a 4xx answer and delivers once the server accepts', async () => {
    answers.set('busy@example.com', (n) => (n <= 2 ? 'tempfail' : 'accept'));
    const id = confirmedSubscriber('busy@example.com');
    openIncident(site.db, { name: 'Retry me', status: 'investigating', body: 'x', notify: true }, { now: Date.now() });
    await until(() => sink.for('busy@example.com').find((m) => m.subject.includes('Retry me')));
    const row = site.db.select().from(outbox).where(eq(outbox.subscriberId, id)).get()!;
    expect(row.status).toBe('sent');
    expect(row.attempts).toBe(3);
  });

  it('records a 5xx as a permanent failure, does not retry it, and pauses an address that keeps refusing', async () => {
    answers.set('gone@example.com', () => 'permfail');
    const id = confirmedSubscriber('gone@example.com');
    for (let i = 0; i < PAUSE_AFTER_PERMANENT_FAILURES; i++) {
      openIncident(site.db, { name: `Bounce ${i}`, status: 'investigating', body: 'x', notify: true }, { now: Date.now() });
    }
    await until(() => site.db.select().from(outbox).where(eq(outbox.subscriberId, id)).all().every((r) => r.status === 'failed') && site.db.select().from(outbox).where(eq(outbox.subscriberId, id)).all().length === PAUSE_AFTER_PERMANENT_FAILURES);
    const rows = site.db.select().from(outbox).where(eq(outbox.subscriberId, id)).all();
    expect(rows.every((r) => r.attempts === 1 && /No such user/.test(r.lastError ?? ''))).toBe(true);
    expect(site.db.select().from(subscribers).where(eq(subscribers.id, id)).get()!.status).toBe('paused');
    const staff = await signedInStaff(site);
    const admin = await (await staff.get('/admin/subscribers')).text();
    expect(admin).toContain('gone@example.com: 550 No such user here');
  });
});

describe('the RSS feed', () => {
  it('is valid XML with absolute links, unique guids, newest first, and advertised on the page', async () => {
    const xml = await (await fetch(site.url + '/feed.rss')).text();
    expect(XMLValidator.validate(xml)).toBe(true);
    const feed = new XMLParser().parse(xml);
    const items = feed.rss.channel.item as { guid: string | { '#text': string }; link: string; pubDate: string }[];
    expect(items.length).toBeGreaterThan(10);
    const guids = items.map((i) => (typeof i.guid === 'string' ? i.guid : i.guid['#text']));
    expect(new Set(guids).size).toBe(guids.length);
    expect(items.every((i) => i.link.startsWith('http://127.0.0.1:'))).toBe(true);
    const dates = items.map((i) => Date.parse(i.pubDate));
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
    expect(await (await fetch(site.url + '/')).text()).toContain('<link rel="alternate" type="application/rss+xml"');
    const api = component('API');
    const perComponent = new XMLParser().parse(await (await fetch(`${site.url}/feed/${api.id}.rss`)).text());
    expect(perComponent.rss.channel.title).toContain('API');
  });
});

// Subscribers belong to the status page they subscribed on: the form on each
// page's host, the mail a real SMTP server on loopback receives (the page's
// name, links and components only), who hears about what, the CSV, and what
// removing a page does to its readers.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox, subscribers, webhooks } from '../../db/schema';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { requestChatChannel } from '../../src/lib/notifications/chat-channels';
import { planSubscriberImport, subscribersCsv } from '../../src/lib/notifications/subscriber-csv';
import { addPage } from '../../src/lib/pages/add-page';
import { defaultPageId } from '../../src/lib/pages/default-page';
import { loadPageScope } from '../../src/lib/pages/page-scope';
import { removePage } from '../../src/lib/pages/remove-page';
import { ShiraseError } from '../../src/lib/errors';
import { askAs } from '../support/api-and-text';
import { decodeQuotedPrintable, startSmtpSink, type ReceivedMail } from '../support/smtp-sink';
import { startTestSite, type TestSite } from '../support/test-server';
import { until } from '../support/until';

const MOBILE = 'status.mobile.example.com';
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let site: TestSite;
let ios: string;
let web: string;
let mobilePage: string;

beforeAll(async () => {
  sink = await startSmtpSink();
  site = await startTestSite({ seed: true, env: { SMTP_URL: sink.url, MAIL_PER_SECOND: '1000', WEBHOOK_ALLOW_PRIVATE: '1' } });
  const id = (name: string) => site.db.$client.prepare('SELECT id FROM components WHERE name = ?').pluck().get(name) as string;
  ios = id('iOS app');
  web = id('Web app');
  mobilePage = addPage(site.db, { slug: 'mobile', name: 'Fusen Mobile', hosts: [MOBILE], componentIds: [ios] }, { now: Date.now() }).pageId;
  await site.server.checkForChanges();
});
afterAll(async () => {
  await site?.close();
  await sink?.close();
});

/** The subscription form as a browser at `host` posts it. */
function subscribeAt(host: string | undefined, fields: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  const origin = host ? `http://${host}` : site.url;
  return askAs(site, '/subscribe', host, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: body.toString(),
  });
}

const linkIn = (mail: ReceivedMail, path: string) =>
  new URL(new RegExp(`https?://\\S+?${path.replace('/', '\\/')}\\?token=[\\w.-]+`).exec(decodeQuotedPrintable(mail.raw))![0]);

/** Subscribes at a page's host and confirms from the mail, as a reader does; the mail that asked. */
async function subscribeAndConfirm(host: string | undefined, email: string, scope: string[] | 'all' = 'all'): Promise<ReceivedMail> {
  const asked = await subscribeAt(host, { email, locale: 'en', ...(scope === 'all' ? { scope: 'all' } : { scope: 'some', componentIds: scope }) });
  expect(asked.status).toBe(303);
  // Its link names the page's host; the default page's, any other.
  const fromPage = (m: ReceivedMail) => (host ? linkIn(m, '/subscribe/confirm').host === host : linkIn(m, '/subscribe/confirm').host !== MOBILE);
  const confirm = await until(() => sink.for(email).find((m) => m.subject.includes('Confirm your subscription') && fromPage(m)));
  const link = linkIn(confirm, '/subscribe/confirm');
  expect((await askAs(site, link.pathname + link.search, host, { method: 'POST', headers: { origin: host ? `http://${host}` : site.url } })).status).toBe(200);
  return confirm;
}

const rowsOf = (email: string) => site.db.select().from(subscribers).where(eq(subscribers.email, email)).all();
const outboxFor = (subscriberId: string) => site.db.select().from(outbox).where(eq(outbox.subscriberId, subscriberId)).all();

describe('subscribing on a page', () => {
  it('is a subscription to that page: its name and host in the mail, one address on two pages twice', async () => {
    const confirm = await subscribeAndConfirm(MOBILE, 'both@example.com');
    expect(confirm.subject).toContain('[Fusen Mobile]');
    expect(linkIn(confirm, '/subscribe/confirm').host).toBe(MOBILE);
    await subscribeAndConfirm(undefined, 'both@example.com');
    await subscribeAndConfirm(MOBILE, 'mobile-only@example.com');
    expect(
      rowsOf('both@example.com')
        .map((r) => r.pageId)
        .sort(),
    ).toEqual([defaultPageId(site.db), mobilePage].sort());
    expect(rowsOf('both@example.com').every((r) => r.status === 'confirmed')).toBe(true);
  });

  it('offers only the page’s components, and refuses another page’s with a field error', async () => {
    const form = await askAs(site, '/subscribe', MOBILE);
    expect(form.text).toContain(`value="${ios}"`);
    expect(form.text).not.toContain(`value="${web}"`);
    const refused = await subscribeAt(MOBILE, { email: 'wrong-part@example.com', locale: 'en', scope: 'some', componentIds: [web] });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('wrong-part@example.com');
    expect(rowsOf('wrong-part@example.com')).toEqual([]);
  });
});

describe('who hears what', () => {
  it('an incident on another page’s components reaches nobody who subscribed here; one on this page’s, the page’s own mail', async () => {
    const [mobileOnly] = rowsOf('mobile-only@example.com');
    const onWeb = openIncident(
      site.db,
      {
        name: 'Boards slow (web only)',
        status: 'investigating',
        body: 'Boards are slow.',
        notify: true,
        components: [{ componentId: web, status: 'degraded_performance' }],
      },
      { now: Date.now() },
    ).incidentId;
    await until(() => sink.for('both@example.com').find((m) => m.subject.includes('Boards slow (web only)')));
    const webEvent = site.db.$client.prepare('SELECT id FROM notification_events WHERE incident_id = ?').pluck().get(onWeb) as number;
    expect(outboxFor(mobileOnly!.id).some((row) => row.eventId === webEvent)).toBe(false);
    // The default page's copy of both@ heard; the mobile page's did not.
    const bothMobile = rowsOf('both@example.com').find((r) => r.pageId === mobilePage)!;
    expect(outboxFor(bothMobile.id).some((row) => row.eventId === webEvent)).toBe(false);

    openIncident(
      site.db,
      {
        name: 'Sign-in loops on iPhone',
        status: 'investigating',
        body: 'Some iPhones loop.',
        notify: true,
        components: [
          { componentId: ios, status: 'partial_outage' },
          { componentId: web, status: 'degraded_performance' },
        ],
      },
      { now: Date.now() },
    );
    const mail = await until(() => sink.for('mobile-only@example.com').find((m) => m.subject.includes('Sign-in loops on iPhone')));
    const text = decodeQuotedPrintable(mail.raw);
    expect(mail.subject).toContain('[Fusen Mobile]');
    expect(linkIn(mail, '/subscribe/manage').host).toBe(MOBILE);
    expect(text).toContain(`http://${MOBILE}/incidents/`);
    // The mobile page shows the iOS app only: the web app it also names is another page's.
    expect(text).toContain('iOS app');
    expect(text).not.toContain('Web app');
    // both@ subscribed twice and hears twice, once as each page.
    const twice = await until(() => {
      const got = sink.for('both@example.com').filter((m) => m.subject.includes('Sign-in loops on iPhone'));
      return got.length === 2 ? got : undefined;
    });
    expect(twice.map((m) => m.subject.startsWith('[Fusen Mobile]')).sort()).toEqual([false, true]);
  });

  it('one naming no component reaches the subscribers of the page it names', async () => {
    openIncident(
      site.db,
      { name: 'App store review delay', status: 'investigating', body: 'A release waits.', notify: true, page: 'mobile' },
      { now: Date.now() },
    );
    await until(() => sink.for('mobile-only@example.com').find((m) => m.subject.includes('App store review delay')));
    const event = site.db.$client
      .prepare("SELECT e.id FROM notification_events e JOIN incidents i ON i.id = e.incident_id WHERE i.name = 'App store review delay'")
      .pluck()
      .get() as number;
    const defaultsBoth = rowsOf('both@example.com').find((r) => r.pageId !== mobilePage)!;
    expect(outboxFor(defaultsBoth.id).some((row) => row.eventId === event)).toBe(false);
  });

  it('a reader’s chat channel is the page’s too, and refuses another page’s components', () => {
    const page = loadPageScope(site.db, mobilePage);
    const options = { extraHosts: ['127.0.0.1'], allowPrivate: true };
    const input = { kind: 'slack' as const, url: 'http://127.0.0.1:9/services/mobile-channel', locale: 'en' as const };
    expect(() => requestChatChannel(site.db, { ...input, componentIds: [web] }, page, '127.0.0.50', Date.now(), options)).toThrow(ShiraseError);
    requestChatChannel(site.db, { ...input, componentIds: null }, page, '127.0.0.50', Date.now(), options);
    expect(site.db.select({ pageId: webhooks.pageId }).from(webhooks).where(eq(webhooks.url, input.url)).get()?.pageId).toBe(mobilePage);
  });
});

describe('the subscriber list as CSV', () => {
  it('names each subscriber’s page, and an import reads it back, refusing a page that does not exist by its line', () => {
    const { csv } = subscribersCsv(site.db);
    const [header, ...lines] = csv.trim().split(/\r?\n/);
    expect(header!.split(',').at(-1)).toBe('page');
    expect(
      lines
        .filter((l) => l.startsWith('mobile-only@example.com,'))[0]!
        .split(',')
        .at(-1),
    ).toBe('mobile');
    // The export reads back as nothing new: every address is already on its page.
    const again = planSubscriberImport(site.db, csv, 'en');
    expect(again.added).toEqual([]);
    const moved = planSubscriberImport(site.db, 'email,page,component_ids\nnew-mobile@example.com,mobile,' + ios + '\nnew-default@example.com,,\n', 'en');
    expect(moved.added.map((r) => [r.email, r.pageId])).toEqual([
      ['new-mobile@example.com', mobilePage],
      ['new-default@example.com', defaultPageId(site.db)],
    ]);
    const wrong = (() => {
      try {
        planSubscriberImport(site.db, `email,page,component_ids\na@example.com,nope,\nb@example.com,mobile,${web}\n`, 'en');
      } catch (error) {
        return error as ShiraseError;
      }
    })();
    expect(wrong?.fields.map((f) => [f.key, f.params?.line])).toEqual([
      ['errors.field.csvPage', 2],
      ['errors.field.csvComponentOffPage', 3],
    ]);
  });
});

describe('removing a page', () => {
  it('moves its readers to the default page, following the same components; an address already there keeps its own', () => {
    const before = rowsOf('both@example.com').length;
    expect(before).toBe(2);
    const moved = removePage(site.db, 'mobile', { now: Date.now() });
    expect(moved).toMatchObject({ subscribers: 1, alreadyOnDefault: 1, channels: 1 });
    const [mobileOnly] = rowsOf('mobile-only@example.com');
    expect(mobileOnly).toMatchObject({ pageId: defaultPageId(site.db), status: 'confirmed', componentIds: JSON.stringify([ios]) });
    expect(rowsOf('both@example.com')).toMatchObject([{ pageId: defaultPageId(site.db), componentIds: null }]);
    const audit = site.db.$client.prepare("SELECT after FROM audit_log WHERE action = 'page.remove' ORDER BY id DESC").pluck().get() as string;
    expect(JSON.parse(audit)).toMatchObject({ readersMovedToDefaultPage: { subscribers: 1, alreadyOnDefault: 1, browsers: 0, channels: 1 } });
  });
});

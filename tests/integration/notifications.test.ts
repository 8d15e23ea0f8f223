import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { simpleParser, type ParsedMail } from 'mailparser';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { outbox, subscribers } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { decodeQuotedPrintable, startSmtpSink, type Answer, type ReceivedMail } from '../support/smtp-sink';
import { postForm, signedInStaff } from '../support/staff';
import { savePostmortem } from '../../src/lib/postmortems/save-postmortem';
import { scheduleMaintenance } from '../../src/lib/incidents/schedule-maintenance';
import { runMaintenanceWindows } from '../../src/lib/incidents/run-maintenance-windows';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { postIncidentUpdate } from '../../src/lib/incidents/post-update';
import { newPublicId } from '../../src/lib/ids';
import { loadComponentTree } from '../../src/lib/components/load-components';
import { PAUSE_AFTER_PERMANENT_FAILURES } from '../../src/lib/notifications/deliver';
import { until } from '../support/until';

let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let site: TestSite;
let postmortems: string;
const answers = new Map<string, (attempt: number) => Answer>();

beforeAll(async () => {
  sink = await startSmtpSink({ answer: (to, n) => answers.get(to)?.(n) ?? 'accept' });
  // Postmortems published here go to a folder of the test's own, next to a copy of the demo's.
  postmortems = mkdtempSync(join(tmpdir(), 'shirase-mail-postmortems-'));
  copyFileSync('content/postmortems/2018-06-22-renewal-outage.md', join(postmortems, '2018-06-22-renewal-outage.md'));
  site = await startTestSite({ seed: true, env: { SMTP_URL: sink.url, MAIL_PER_SECOND: '1000', POSTMORTEMS_DIR: postmortems }, retryBaseMs: 50 });
});
afterAll(async () => {
  await site?.close();
  await sink?.close();
  if (postmortems) rmSync(postmortems, { recursive: true, force: true });
});

const component = (name: string) => loadComponentTree(site.db, Date.now()).all.find((c) => c.name === name)!;

/** Subscribes directly in the database, as a confirmed reader, for tests about delivery. */
function confirmedSubscriber(email: string, componentIds: string[] | null = null, locale: 'en' | 'ja' = 'en') {
  const id = newPublicId();
  site.db
    .insert(subscribers)
    .values({
      id,
      email,
      locale,
      componentIds: componentIds ? JSON.stringify(componentIds) : null,
      status: 'confirmed',
      createdAt: Date.now(),
      updatedAt: Date.now(),
    })
    .run();
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
    const { incidentId } = openIncident(
      site.db,
      { name: 'Before confirming', status: 'investigating', body: 'Not for the pending reader.', notify: true },
      { now: Date.now() },
    );
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

  it('gives times in the zone the reader subscribed from, changeable on the manage page, and threads the mails of one incident', async () => {
    const email = 'los-angeles@example.com';
    // The form's script sends the browser's zone; the reader is in Los Angeles.
    expect((await postForm(site, '/subscribe', { email, scope: 'all', locale: 'en', timeZone: 'America/Los_Angeles' })).status).toBe(303);
    const confirmMail = await until(() => sink.for(email)[0]);
    const link = new URL(/https?:\/\/\S+?\/subscribe\/confirm\?token=[\w.-]+/.exec(decodeQuotedPrintable(confirmMail.raw))![0]);
    expect((await postForm(site, link.pathname + link.search, {})).status).toBe(200);

    const { incidentId } = openIncident(site.db, { name: 'Thread me', status: 'investigating', body: 'First word.', notify: true }, { now: Date.now() });
    postIncidentUpdate(site.db, incidentId, { status: 'identified', body: 'Second word.', notify: true }, { now: Date.now() });
    postIncidentUpdate(site.db, incidentId, { status: 'resolved', body: 'Last word.', notify: true }, { now: Date.now() });
    await until(() => sink.for(email).filter((m) => m.subject.includes('Thread me')).length === 3);
    const mails = await Promise.all(
      sink
        .for(email)
        .filter((m) => m.subject.includes('Thread me'))
        .map(parsed),
    );
    const [opened, identified, resolved] = ['First word.', 'Second word.', 'Last word.'].map((word) => mails.find((m) => m.text.includes(word)));
    const root = opened!.messageId!;
    expect(root).toMatch(new RegExp(`^<incident-${incidentId}\\.`));
    for (const later of [identified!, resolved!]) {
      expect(later.subject).toBe(opened!.subject);
      expect(later.inReplyTo).toBe(root);
      expect(later.references).toBe(root);
      expect(later.messageId).not.toBe(root);
    }
    expect(opened!.text).toMatch(/(PST|PDT|GMT-[78]) \(America\/Los_Angeles\)/);
    expect(opened!.text).not.toContain('Asia/Tokyo');

    // The manage page shows the zone and changes it; the next mail follows.
    const manage = /https?:\/\/\S+?\/subscribe\/manage\?token=[\w.-]+/.exec(opened!.text)![0];
    const manageUrl = new URL(manage);
    const page = await (await fetch(site.url + manageUrl.pathname + manageUrl.search)).text();
    expect(page).toMatch(/<option value="America\/Los_Angeles" selected/);
    expect(page).toContain('The status page’s zone (Asia/Tokyo)');
    const saved = await postForm(site, manageUrl.pathname + manageUrl.search, { intent: 'save', scope: 'all', locale: 'en', timeZone: 'Europe/London' });
    expect(saved.status).toBe(303);
    const { incidentId: next } = openIncident(site.db, { name: 'In London now', status: 'investigating', body: 'x', notify: true }, { now: Date.now() });
    const london = await parsed(await until(() => sink.for(email).find((m) => m.subject.includes('In London now'))));
    expect(london.text).toContain('(Europe/London)');
    expect(next).toBeTruthy();
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
    openIncident(
      site.db,
      { name: 'API latency', status: 'investigating', body: 'Slow API.', components: [{ componentId: api.id, status: 'degraded_performance' }], notify: true },
      { now: Date.now() },
    );
    await until(() => sink.for('api-only@example.com').find((m) => m.subject.includes('API latency')));
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.for('web-only@example.com').some((m) => m.subject.includes('API latency'))).toBe(false);
  });

  it('refuses line breaks in an incident name, and keeps one an older version stored out of the mail headers', async () => {
    confirmedSubscriber('headers@example.com');
    expect(() =>
      openIncident(site.db, { name: 'Outage\r\nBcc: victim@example.com', status: 'investigating', body: 'x', notify: true }, { now: Date.now() }),
    ).toThrow(/not saved/);
    const { incidentId } = openIncident(site.db, { name: 'Outage', status: 'investigating', body: 'x' }, { now: Date.now() });
    site.db.$client.prepare('UPDATE incidents SET name = ? WHERE id = ?').run('Outage\r\nBcc: victim@example.com', incidentId);
    postIncidentUpdate(site.db, incidentId, { status: 'identified', body: 'y', notify: true }, { now: Date.now() });
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
    // The sink has the message a moment before the worker hears the server's 250 and marks the row.
    const row = await until(() =>
      site.db
        .select()
        .from(outbox)
        .where(eq(outbox.subscriberId, id))
        .all()
        .find((r) => r.status === 'sent'),
    );
    expect(row.attempts).toBe(3);
  });

  it('records a 5xx as a permanent failure, does not retry it, and pauses an address that keeps refusing', async () => {
    answers.set('gone@example.com', () => 'permfail');
    const id = confirmedSubscriber('gone@example.com');
    for (let i = 0; i < PAUSE_AFTER_PERMANENT_FAILURES; i++) {
      openIncident(site.db, { name: `Bounce ${i}`, status: 'investigating', body: 'x', notify: true }, { now: Date.now() });
    }
    await until(
      () =>
        site.db
          .select()
          .from(outbox)
          .where(eq(outbox.subscriberId, id))
          .all()
          .every((r) => r.status === 'failed') &&
        site.db.select().from(outbox).where(eq(outbox.subscriberId, id)).all().length === PAUSE_AFTER_PERMANENT_FAILURES,
    );
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

/** The received message as a MIME parser reads it: headers, the text part and the HTML part. */
async function parsed(mail: ReceivedMail): Promise<ParsedMail & { html: string; text: string }> {
  const message = await simpleParser(mail.raw);
  expect(typeof message.html, 'an HTML part').toBe('string');
  expect(typeof message.text, 'a plain-text part').toBe('string');
  return message as ParsedMail & { html: string; text: string };
}
const listHeaders = (message: ParsedMail) => message.headers.get('list') as Record<string, { id?: string; name?: string; url?: string }>;
const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));

describe('mail people read', () => {
  it('names the incident, shows the update as HTML and as plain text, each component with its new status, the time with its zone, and a button to the incident', async () => {
    const email = 'designed@example.com';
    confirmedSubscriber(email);
    const api = component('API');
    const { incidentId } = openIncident(
      site.db,
      { name: 'Checkout errors', status: 'investigating', body: 'Looking into it.', notify: true },
      { now: Date.now() },
    );
    postIncidentUpdate(
      site.db,
      incidentId,
      {
        status: 'identified',
        body: '**Payments** fail for card users.\n\n- retries are _safe_\n- see [the provider notice](https://provider.example/notice) and [our history](/history)',
        components: [{ componentId: api.id, status: 'major_outage' }],
        notify: true,
      },
      { now: Date.now() },
    );
    const mail = await until(() => sink.for(email).find((m) => m.subject.includes('Checkout errors') && decodeQuotedPrintable(m.raw).includes('[Identified]')));
    const message = await parsed(mail);

    // One subject for the whole incident, so mail programs thread it; the status is the mail's first line.
    expect(message.subject).toBe(`[${site.config.siteName}] Incident: Checkout errors`);
    const list = listHeaders(message);
    expect(list.id).toEqual({ id: '127.0.0.1', name: site.config.siteName });
    expect(list.unsubscribe!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?token=[\w.-]+$/);
    expect(list['unsubscribe-post']!.name).toBe('List-Unsubscribe=One-Click');

    // HTML: headline, a labelled status colour, the Markdown rendered, the component and its new status, the time's zone.
    const { html, text } = message;
    expect(html).toMatch(/<html lang="en"[ >]/);
    expect(html).toMatch(/<h1[^>]*>Checkout errors<\/h1>/);
    expect(html).toMatch(/<span class="badge tone-major"[^>]*background: #b34d00[^>]*>Identified<\/span>/);
    expect(html).toContain('<strong>Payments</strong> fail for card users.');
    expect(html).toContain('<em>safe</em>');
    expect(html).toMatch(/<li[^>]*>API <span class="badge tone-critical small"[^>]*>Major outage<\/span><\/li>/);
    expect(html).toContain('(Asia/Tokyo)');
    expect(html).toContain('<meta name="color-scheme" content="light dark">');
    expect(html).toContain('@media (prefers-color-scheme: dark)');
    expect(html).not.toContain('<script');
    const links = hrefs(html);
    expect(links).toContain(`${site.url}/incidents/${incidentId}`);
    expect(links).toContain(`${site.url}/history`);
    expect(links).toContain(list.unsubscribe!.url);
    expect(links.some((l) => l.startsWith(`${site.url}/subscribe/manage?token=`))).toBe(true);

    // Plain text: the same story with no Markdown syntax left and links as addresses.
    expect(text).toMatch(/^Checkout errors\n/);
    expect(text).toContain('[Identified]');
    expect(text).toContain('Payments fail for card users.');
    expect(text).toContain('retries are safe');
    expect(text).toContain('the provider notice <https://provider.example/notice>');
    expect(text).toContain(`our history <${site.url}/history>`);
    expect(text).toContain('- API: Major outage');
    expect(text).toContain('(Asia/Tokyo)');
    expect(text).toContain(`${site.url}/incidents/${incidentId}`);
    expect(text).toContain(`Unsubscribe: ${list.unsubscribe!.url}`);
    expect(text).not.toMatch(/\*\*|\]\(|(^|\s)_\w|<\/?\w+[ >]/);
  });

  it('takes the status in subject and body from the update it announces, even when the incident has moved on', async () => {
    const email = 'agreeing@example.com';
    answers.set(email, (n) => (n === 1 ? 'tempfail' : 'accept'));
    confirmedSubscriber(email);
    const { incidentId } = openIncident(site.db, { name: 'Slow search', status: 'investigating', body: 'Search is slow.', notify: true }, { now: Date.now() });
    // The incident is monitored by the time the retry of the first mail goes out.
    postIncidentUpdate(site.db, incidentId, { status: 'monitoring', body: 'A fix is out.', notify: false }, { now: Date.now() });
    const mail = await until(() => sink.for(email).find((m) => m.subject.includes('Slow search')));
    const message = await parsed(mail);
    expect(message.subject).toBe(`[${site.config.siteName}] Incident: Slow search`);
    expect(message.html).toMatch(/class="badge tone-critical"[^>]*>Investigating</);
    expect(message.text).toContain('[Investigating]');
    expect(message.text).toContain('Search is slow.');
    expect(message.html).not.toContain('Monitoring');
    expect(message.text).not.toContain('Monitoring');
  });

  it('says a back-dated update is a note about an earlier time, gives the status the incident has, and lists no component it did not change', async () => {
    const en = 'note-reader@example.com';
    const ja = 'note-yomite@example.com';
    confirmedSubscriber(en);
    confirmedSubscriber(ja, null, 'ja');
    const web = component('Web app');
    const minutesAgo = (m: number) => Date.now() - m * 60_000;
    const { incidentId } = openIncident(
      site.db,
      {
        name: 'Cards not saving',
        status: 'investigating',
        body: 'Looking into it.',
        displayAt: minutesAgo(60),
        components: [{ componentId: web.id, status: 'partial_outage' }],
        notify: false,
      },
      { now: Date.now() },
    );
    postIncidentUpdate(site.db, incidentId, { status: 'monitoring', body: 'A fix is out.', notify: false }, { now: minutesAgo(10) });
    // Written after the fix went out, about the first minutes: support's first reports.
    const note = { status: 'investigating', body: 'Support saw the first reports at this time.', displayAt: minutesAgo(50) } as const;

    // The form says beforehand what will be mailed.
    const staff = await signedInStaff(site);
    const localInput = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo', dateStyle: 'short', timeStyle: 'short' })
      .format(note.displayAt)
      .replace(' ', 'T');
    const preview = await (
      await staff.post(`/admin/incidents/${incidentId}`, {
        intent: 'post_update',
        preview: 'email',
        status: note.status,
        body: note.body,
        displayAt: localInput,
      })
    ).text();
    expect(preview).toContain('Incident: Cards not saving');
    expect(preview).toContain('added afterwards. The status now: Monitoring.');

    postIncidentUpdate(site.db, incidentId, { ...note, notify: true }, { now: Date.now() });
    const message = await parsed(await until(() => sink.for(en).find((m) => m.subject.includes('Cards not saving'))));
    expect(message.subject).toBe(`[${site.config.siteName}] Incident: Cards not saving`);
    expect(message.text).toContain('[Monitoring]');
    expect(message.text).toMatch(/A note about .+ GMT\+9 \(Asia\/Tokyo\), added afterwards\. The status now: Monitoring\./);
    expect(message.text).toContain('Support saw the first reports at this time.');
    expect(message.text).not.toContain('Investigating');
    expect(message.text).not.toContain('Web app');
    // The subject is MIME-encoded on the wire: the only mail this reader gets is the note's.
    const japanese = await parsed(await until(() => sink.for(ja)[0]));
    expect(japanese.subject).toBe(`[${site.config.siteName}] 障害:Cards not saving`);
    expect(japanese.text).toContain('の時点についての補足です（あとから追記しました）。現在の状況: 経過観察');
    expect(japanese.text).not.toContain('Web アプリ');
  });

  it('is written in Japanese for a Japanese subscriber, with every link under /ja/, and one click on its List-Unsubscribe works', async () => {
    const email = 'yomite@example.com';
    const id = confirmedSubscriber(email, null, 'ja');
    const { incidentId } = openIncident(
      site.db,
      {
        name: 'Payment delays',
        status: 'identified',
        body: 'Card payments are delayed.',
        translations: { ja: { name: '決済の遅延', body: '**カード決済**が遅れています。' } },
        notify: true,
      },
      { now: Date.now() },
    );
    // Its only mail: the subject is MIME-encoded on the wire, so the parser is what reads it.
    const mail = await until(() => sink.for(email)[0]);
    const message = await parsed(mail);
    expect(message.subject).toBe(`[${site.config.siteName}] 障害:決済の遅延`);
    expect(message.html).toMatch(/<html lang="ja"[ >]/);
    expect(message.html).toMatch(/<h1[^>]*>決済の遅延<\/h1>/);
    expect(message.html).toContain('<strong>カード決済</strong>が遅れています。');
    expect(message.html).toContain('障害と経緯を見る');
    expect(message.html).toContain('購読をやめる');
    expect(message.html).not.toMatch(/Unsubscribe|View the incident|Affected/);
    expect(message.text).toContain('カード決済が遅れています。');
    expect(message.text).toContain('[原因特定]');
    expect(message.text).not.toContain('**');

    const links = hrefs(message.html).filter((l) => l.startsWith(site.url));
    expect(links).toContain(`${site.url}/ja/incidents/${incidentId}`);
    expect(links.some((l) => l.startsWith(`${site.url}/ja/subscribe/manage?token=`))).toBe(true);
    expect(links.every((l) => l.startsWith(`${site.url}/ja/`))).toBe(true);
    const unsubscribe = listHeaders(message).unsubscribe!.url!;
    expect(unsubscribe).toMatch(/\/ja\/unsubscribe\?token=/);
    expect(links).toContain(unsubscribe);

    const page = await fetch(unsubscribe);
    expect(page.status).toBe(200);
    const pageHtml = await page.text();
    expect(pageHtml).toContain('yomite@example.com への稼働状況のメールを停止しますか?');
    expect(site.db.select().from(subscribers).where(eq(subscribers.id, id)).get()!.status).toBe('confirmed');
    const oneClick = await fetch(unsubscribe, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(oneClick.status).toBe(200);
    expect(site.db.select().from(subscribers).where(eq(subscribers.id, id)).get()!.status).toBe('unsubscribed');
  });

  it('announces a postmortem by its title, not its slug', async () => {
    const email = 'postmortem-reader@example.com';
    confirmedSubscriber(email);
    const { incidentId } = openIncident(site.db, { name: 'Login outage', status: 'investigating', body: 'x', notify: false }, { now: Date.now() });
    savePostmortem(
      site.db,
      postmortems,
      {
        title: 'Why sign-in failed for two hours',
        slug: 'login-outage-review',
        date: '2026-11-02',
        incidents: [incidentId],
        summary: 'An expired **certificate**.',
        locale: 'en',
        body: 'Details.',
        action: 'publish',
        notify: true,
      },
      { now: Date.now() },
    );
    const mail = await until(() => sink.for(email).find((m) => m.subject.includes('Postmortem published')));
    const message = await parsed(mail);
    expect(message.subject).toBe(`[${site.config.siteName}] Postmortem published: Why sign-in failed for two hours`);
    expect(message.html).toMatch(/<h1[^>]*>Why sign-in failed for two hours<\/h1>/);
    expect(message.html).toContain('<strong>certificate</strong>');
    expect(message.text).toContain('An expired certificate.');
    expect(hrefs(message.html)).toContain(`${site.url}/postmortems/login-outage-review`);
    expect(message.subject).not.toContain('login-outage-review');
    expect(message.text.split('\n')[0]).toBe('Why sign-in failed for two hours');
  });

  it('emails a postmortem only when staff say yes, once per report, each reader in their language with a subject in one language', async () => {
    const en = 'report-reader@example.com';
    const ja = 'report-yomite@example.com';
    confirmedSubscriber(en);
    confirmedSubscriber(ja, null, 'ja');
    const opened = (name: string, jaName: string) =>
      openIncident(site.db, { name, status: 'investigating', body: 'x', translations: { ja: { name: jaName } }, notify: false }, { now: Date.now() })
        .incidentId;
    const report = (incidentId: string, slug: string, title: string, locale: 'en' | 'ja', notify: boolean) =>
      savePostmortem(
        site.db,
        postmortems,
        { title, slug, date: '2026-11-20', incidents: [incidentId], summary: 'What happened.', locale, body: 'Details.', action: 'publish', notify },
        { now: Date.now() },
      );

    // Published for the record only: nobody is emailed.
    report(opened('Quiet fix', '静かな修正'), 'quiet-fix-review', 'Quiet fix review', 'en', false);
    // In English only: the Japanese reader's mail is named by the incident in Japanese and says the report is in English.
    report(opened('Export failures', 'エクスポートの失敗'), 'export-review', 'Why exports failed', 'en', true);
    // Its first mail (the subject is MIME-encoded on the wire).
    const japanese = await parsed(await until(() => sink.for(ja)[0]));
    expect(japanese.subject).toBe(`[${site.config.siteName}] 障害報告を公開しました:エクスポートの失敗`);
    expect(japanese.text).toContain('報告書は英語で書かれています。');
    const english = await parsed(await until(() => sink.for(en).find((m) => m.subject.includes('Why exports failed'))));
    expect(english.subject).toBe(`[${site.config.siteName}] Postmortem published: Why exports failed`);
    expect(english.text).not.toContain('written in');

    // In both languages: each reader gets their own, and publishing the translation sends nothing more.
    const both = opened('Sync delays', '同期の遅延');
    report(both, 'sync-review', 'Why sync was late', 'en', true);
    report(both, 'sync-review-ja', '同期が遅れた理由', 'ja', true);
    await until(() => sink.for(en).find((m) => m.subject.includes('Why sync was late')));
    await until(() => sink.for(ja).length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.for(en).filter((m) => m.subject.includes('Postmortem published'))).toHaveLength(2);
    expect(sink.for(ja)).toHaveLength(2);
    const jaSync = await parsed(sink.for(ja)[1]!);
    expect(jaSync.subject).toBe(`[${site.config.siteName}] 障害報告を公開しました:同期が遅れた理由`);
    expect(hrefs(jaSync.html)).toContain(`${site.url}/ja/postmortems/sync-review-ja`);
    expect(sink.for(en).some((m) => m.subject.includes('Quiet fix'))).toBe(false);
  });

  it('writes the maintenance texts Shirase posts itself in the subscriber’s language', async () => {
    const email = 'maintenance-ja@example.com';
    confirmedSubscriber(email, null, 'ja');
    const now = Date.now();
    const { incidentId } = scheduleMaintenance(
      site.db,
      {
        name: 'Database upgrade',
        body: 'Upgrading the database.',
        scheduledFor: now - 60_000,
        scheduledUntil: now + 3_600_000,
        translations: { ja: { name: 'データベースの更新' } },
        notify: false,
      },
      { now },
    );
    runMaintenanceWindows(site.db, now);
    const mail = await until(() => sink.for(email)[0]);
    const message = await parsed(mail);
    expect(message.subject).toBe(`[${site.config.siteName}] メンテナンス:データベースの更新`);
    expect(message.text).toContain('[実施中]');
    expect(message.text).toContain('予定していたメンテナンスを開始しました。');
    expect(message.text).not.toContain('Scheduled maintenance has begun');
    expect(message.html).toContain('メンテナンスと経緯を見る');
    expect(hrefs(message.html)).toContain(`${site.url}/ja/incidents/${incidentId}`);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { simpleParser } from 'mailparser';
import { eq, like } from 'drizzle-orm';
import { auditLog, components, outbox, subscribers } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { startSmtpSink } from '../support/smtp-sink';
import { until } from '../support/until';

let site: TestSite;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;

beforeAll(async () => {
  sink = await startSmtpSink();
  site = await startTestSite({ seed: true, env: { SMTP_URL: sink.url, MAIL_PER_SECOND: '1000' } });
});
afterAll(async () => {
  await site?.close();
  await sink?.close();
});

/** Everything an import could touch, to show a refused one touched nothing. */
function snapshot() {
  return {
    subscribers: site.db.select().from(subscribers).all(),
    outbox: site.db.select().from(outbox).all().length,
    audit: site.db.select().from(auditLog).where(like(auditLog.action, 'subscriber.%')).all().length,
  };
}

/** A multipart form with a CSV file, as a browser sends the import form. */
function postFile(cookie: string, csv: string, fields: Record<string, string>) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'list.csv');
  return fetch(`${site.url}/admin/subscribers`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie, origin: site.url } });
}

describe('subscriber CSV import', () => {
  it('asks before writing, says what it will do, and on yes sends each new address a truthful request to confirm', async () => {
    const admin = await signedInStaff(site, 'admin');
    const api = site.db.select().from(components).where(eq(components.name, 'API')).get()!;
    const csv = ['email,language,components', 'Ana@Example.com,ja,API', 'ben@example.com,,', 'ana@example.com,en,', 'carol@example.com,en,', ''].join('\n');
    const before = snapshot();
    const checked = await postFile(admin.cookie, csv, { intent: 'import', mode: 'ask' });
    expect(checked.status).toBe(200);
    const page = await checked.text();
    // The question names the counts: three new, one repeated.
    expect(page).toContain('Send a request to confirm to 3 new addresses?');
    expect(page).toContain('1 repeated rows are left out');
    // The file's text travels with the yes, so what is imported is what was checked.
    expect(page).toMatch(/name="csv" value="email,language,components/);
    expect(snapshot()).toEqual(before);

    const yes = await admin.post('/admin/subscribers', { intent: 'import', mode: 'ask', csv, confirmed: 'yes' });
    expect(yes.status).toBe(303);
    expect(yes.headers.get('location')).toBe('/admin/subscribers?done=imported');
    const ana = site.db.select().from(subscribers).where(eq(subscribers.email, 'ana@example.com')).get()!;
    expect(ana).toMatchObject({ status: 'pending', locale: 'ja', componentIds: JSON.stringify([api.id]) });
    expect(site.db.select().from(subscribers).where(eq(subscribers.email, 'ben@example.com')).get()).toMatchObject({
      status: 'pending',
      locale: 'en',
      componentIds: null,
    });

    const mail = await until(() => sink.for('ana@example.com')[0]);
    const parsed = await simpleParser(mail.raw);
    expect(parsed.text).toContain('このアドレスを稼働状況のお知らせの送付先に加えようとしています');
    expect(parsed.text).not.toContain('hopefully you');
    expect(parsed.text).toMatch(/\/ja\/subscribe\/confirm\?token=/);
    await until(() => sink.for('carol@example.com')[0]);

    const entry = site.db.select().from(auditLog).where(eq(auditLog.action, 'subscriber.import')).get()!;
    expect(JSON.parse(entry.after!)).toMatchObject({ addedAs: 'pending', added: 3, repeatedRows: 1 });
    expect(entry.actorLabel).toBe(admin.email);
  });

  it('counts addresses as confirmed only after the warning, and then emails nobody', async () => {
    const admin = await signedInStaff(site, 'admin');
    const csv = 'dora@example.com\neve@example.com\n';
    const sent = sink.received.length;
    const checked = await admin.post('/admin/subscribers', { intent: 'import', mode: 'confirmed', csv });
    const page = await checked.text();
    expect(page).toContain('Add 2 addresses as confirmed subscribers, without asking them?');
    expect(page).toContain('reported as spam');
    expect(site.db.select().from(subscribers).where(eq(subscribers.email, 'dora@example.com')).get()).toBeUndefined();

    const yes = await admin.post('/admin/subscribers', { intent: 'import', mode: 'confirmed', csv, confirmed: 'yes' });
    expect(yes.status).toBe(303);
    const dora = site.db.select().from(subscribers).where(eq(subscribers.email, 'dora@example.com')).get()!;
    expect(dora.status).toBe('confirmed');
    expect(dora.confirmedAt).not.toBeNull();
    expect(site.db.select().from(outbox).where(eq(outbox.subscriberId, dora.id)).all()).toHaveLength(0);
    // Give the courier time to send anything it wrongly had; it must have sent nothing.
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.received.length).toBe(sent);
  });

  it('refuses the whole list over one bad line, naming each line, and keeps the text', async () => {
    const admin = await signedInStaff(site, 'admin');
    const csv = 'email,language\nfrank@example.com,en\nnot-an-address,en\ngina@example.com,fr\n';
    const before = snapshot();
    const res = await admin.post('/admin/subscribers', { intent: 'import', mode: 'ask', csv, confirmed: 'yes' });
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(page).toContain('Nothing was imported: 2 lines need fixing.');
    expect(page).toContain('Line 3: “not-an-address” is not an email address.');
    expect(page).toContain('Line 4: the language “fr” is not one this site speaks');
    expect(page).toContain('frank@example.com,en');
    expect(page).not.toMatch(/errors\.field|errors\.import/);
    expect(snapshot()).toEqual(before);
  });

  it('requires a choice of what happens, leaves existing and unsubscribed people as they are', async () => {
    const admin = await signedInStaff(site, 'admin');
    const before = snapshot();
    const noChoice = await admin.post('/admin/subscribers', { intent: 'import', csv: 'hana@example.com', confirmed: 'yes' });
    expect(noChoice.status).toBe(422);
    expect(await noChoice.text()).toContain('Choose whether to ask each address to confirm');
    // Ana is pending from the first import; a row marking someone unsubscribed never signs them up.
    const res = await admin.post('/admin/subscribers', {
      intent: 'import',
      mode: 'confirmed',
      csv: 'email,status\nana@example.com,confirmed\nivan@example.com,unsubscribed\n',
      confirmed: 'yes',
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('Nothing to import: every address is already on the list (1), marked unsubscribed (1)');
    expect(snapshot()).toEqual(before);
    expect(site.db.select().from(subscribers).where(eq(subscribers.email, 'ana@example.com')).get()!.status).toBe('pending');
  });

  it('is for admins only', async () => {
    const editor = await signedInStaff(site, 'editor');
    const before = snapshot();
    const res = await editor.post('/admin/subscribers', { intent: 'import', mode: 'confirmed', csv: 'mallory@example.com', confirmed: 'yes' });
    expect(res.status).toBe(403);
    expect((await editor.get('/admin/subscribers.csv')).status).toBe(403);
    expect(snapshot()).toEqual(before);
  });
});

describe('subscriber CSV export', () => {
  it('downloads every subscriber with their state, audits it, and reads back as an import', async () => {
    const admin = await signedInStaff(site, 'admin');
    const res = await admin.get('/admin/subscribers.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="shirase-subscribers-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await res.text();
    const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    const ana = rows.find((r) => r.email === 'ana@example.com')!;
    expect(ana).toMatchObject({ language: 'ja', status: 'pending', components: 'API' });
    expect(rows.find((r) => r.email === 'dora@example.com')).toMatchObject({ status: 'confirmed' });
    expect(rows.find((r) => r.email === 'dora@example.com')!.confirmed_at_utc).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const entry = site.db.select().from(auditLog).where(eq(auditLog.action, 'subscriber.export')).get()!;
    expect(JSON.parse(entry.after!)).toEqual({ addresses: rows.length });
    const log = await (await admin.get('/admin/audit?kind=subscribers')).text();
    expect(log).toContain('Exported the subscriber list');
    expect(log).toContain('Imported subscribers');
    expect(log).toContain('Addresses added');

    // The same file, imported again, adds nobody: every address is already here.
    const again = await admin.post('/admin/subscribers', { intent: 'import', mode: 'ask', csv: text, confirmed: 'yes' });
    expect(again.status).toBe(422);
    expect(await again.text()).toContain(`already on the list (${rows.length})`);
  });
});

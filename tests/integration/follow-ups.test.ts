import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, like } from 'drizzle-orm';
import { simpleParser, type ParsedMail } from 'mailparser';
import { auditLog, followUps, notificationEvents, subscribers } from '../../db/schema';
import { startTestSite, freshDatabase, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { startSmtpSink } from '../support/smtp-sink';
import { until } from '../support/until';
import { createUser } from '../../src/lib/auth/create-user';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { resolveIncident } from '../../src/lib/incidents/resolve-incident';
import { remindOverdueFollowUps } from '../../src/lib/followups/remind-overdue-follow-ups';
import { seedFirstStart } from '../../src/lib/demo/first-start';
import { newPublicId } from '../../src/lib/ids';

let site: TestSite;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let dir: string;
let token: string;
let ownerId: string;
let ownerEmail: string;
let counter = 0;

const DEMO_FILE = '2018-06-22-renewal-outage.md';
const FAR = '2099-12-31';
const unique = (what: string) => `${what} ${++counter}-${Math.random().toString(36).slice(2, 8)}`;

function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return fetch(`${site.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
const page = async (path: string) => (await fetch(site.url + path)).text();
const rows = () => site.db.select().from(followUps).all();

/** A published report, written as a file the way staff write one, about its own incident. */
function writeReport(slug: string, incidentId: string, locale: 'en' | 'ja', title: string) {
  writeFileSync(
    join(dir, `2026-01-10-${slug}.md`),
    `---\ntitle: "${title}"\nslug: ${slug}\ndate: 2026-01-10\nincidents:\n  - ${incidentId}\nsummary: What happened.\npublished: 2026-01-11T00:00:00.000Z\nlocale: ${locale}\n---\n\n## What happened\n\nThe queue stalled.\n`,
  );
}

async function mailsTo(to: string): Promise<ParsedMail[]> {
  return Promise.all(sink.for(to).map((m) => simpleParser(m.raw)));
}

beforeAll(async () => {
  sink = await startSmtpSink();
  dir = mkdtempSync(join(tmpdir(), 'shirase-follow-ups-'));
  site = await startTestSite({
    seed: true,
    env: { SMTP_URL: sink.url, MAIL_PER_SECOND: '1000', POSTMORTEMS_DIR: dir, CADENCE_CHECK_SECONDS: '1', TIME_ZONE: 'Asia/Tokyo' },
  });
  ownerEmail = `owner-${Date.now()}@example.com`;
  ({ userId: ownerId } = await createUser(site.db, { email: ownerEmail, role: 'editor', password: 'correct horse battery staple' }, { now: Date.now() }));
  ({ token } = createApiToken(
    site.db,
    { name: 'follow-ups bot', scopes: ['incidents'] },
    { now: Date.now(), actor: { kind: 'user', id: ownerId, label: ownerEmail } },
  ));
});
afterAll(async () => {
  await site?.close();
  await sink?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the follow-ups API', () => {
  it('adds a follow-up to a report, owned by the token’s creator and audited, and lists it under every language of the report', async () => {
    const text = { en: unique('Load-test the cache tier'), ja: unique('キャッシュ層の負荷試験') };
    const res = await api('POST', '/follow-ups', { postmortem: 'renewal-outage', text, due_on: FAR });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created).toMatchObject({ postmortem: 'renewal-outage', text, status: 'planned', public: true, version: 1, due_on: FAR, overdue: false });
    expect(created.owner).toMatchObject({ id: ownerId, email: ownerEmail });
    const audit = site.db.select().from(auditLog).where(eq(auditLog.entityId, created.id)).all();
    expect(audit.map((a) => a.action)).toEqual(['postmortem.followup_add']);
    expect(audit[0]!.actorKind).toBe('token');

    // The Japanese version of the same report has the same follow-ups.
    const listed = await (await api('GET', '/follow-ups?postmortem=renewal-outage-ja')).json();
    expect(listed.follow_ups.map((f: { id: string }) => f.id)).toContain(created.id);
  });

  it('answers bad requests with a stable code and writes nothing', async () => {
    const before = rows().length;
    const missing = await api('POST', '/follow-ups', { postmortem: 'renewal-outage', text: { en: 'Only English' }, due_on: 'next week' });
    expect(missing.status).toBe(422);
    const said = (await missing.json()).error;
    expect(said.code).toBe('VALIDATION');
    expect(said.fields.map((f: { field: string }) => f.field).sort()).toEqual(['due_on', 'text.ja']);
    const unknown = await api('POST', '/follow-ups', { postmortem: 'no-such-report', text: { en: 'a', ja: 'b' }, due_on: FAR });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.key).toBe('errors.notFound.postmortem');
    const noQuery = await api('GET', '/follow-ups');
    expect(noQuery.status).toBe(400);
    expect((await noQuery.json()).error.code).toBe('BAD_REQUEST');
    expect((await api('GET', '/follow-ups?postmortem=nope')).status).toBe(404);
    expect(rows().length).toBe(before);
  });

  it('is versioned like other edits: a change from an older version is refused and changes nothing', async () => {
    const created = await (
      await api('POST', '/follow-ups', { postmortem: 'renewal-outage', text: { en: unique('Tune'), ja: unique('調整') }, due_on: FAR })
    ).json();
    const first = await api('PATCH', `/follow-ups/${created.id}`, { status: 'in_progress' }, { 'if-match': '"1"' });
    expect(first.status).toBe(200);
    expect((await first.json()).version).toBe(2);
    const stale = await api('PATCH', `/follow-ups/${created.id}`, { status: 'done', version: 1 });
    expect(stale.status).toBe(409);
    const conflict = (await stale.json()).error;
    expect(conflict).toMatchObject({ code: 'CONFLICT', current_version: 2 });
    expect(site.db.select().from(followUps).where(eq(followUps.id, created.id)).get()).toMatchObject({ status: 'in_progress', version: 2 });

    const dropped = await api('PATCH', `/follow-ups/${created.id}`, { status: 'dropped', version: 2 });
    expect(dropped.status).toBe(422);
    expect((await dropped.json()).error.fields.map((f: { field: string }) => f.field)).toEqual(['reasonEn', 'reasonJa']);
    const audit = site.db.select().from(auditLog).where(eq(auditLog.entityId, created.id)).all();
    expect(audit.map((a) => a.action)).toEqual(['postmortem.followup_add', 'postmortem.followup_change']);
    expect(JSON.parse(audit[1]!.before!)).toMatchObject({ status: 'planned', version: 1 });
    expect(JSON.parse(audit[1]!.after!)).toMatchObject({ status: 'in_progress', version: 2 });
    expect((await api('PATCH', '/follow-ups/zzzzzzzzzzzz', { status: 'done' })).status).toBe(404);
  });
});

describe('the admin form', () => {
  it('adds and changes follow-ups on the postmortem’s page, keeps what was typed when it refuses, and says which field to fix', async () => {
    const staff = await signedInStaff(site, 'editor');
    const path = `/admin/postmortems/edit?file=${DEMO_FILE}`;
    const en = unique('Roll back within an hour');
    const before = rows().length;
    const refused = await staff.post(path, { intent: 'followup_add', textEn: en, textJa: '', dueOn: FAR, status: 'planned', public: 'on' });
    expect(refused.status).toBe(422);
    const form = await refused.text();
    expect(form).toContain(`value="${en}"`);
    expect(form).toContain('Say what will be done, in this language too');
    expect(rows().length).toBe(before);

    const added = await staff.post(path, {
      intent: 'followup_add',
      textEn: en,
      textJa: unique('1 時間以内に切り戻す'),
      dueOn: FAR,
      status: 'planned',
      public: 'on',
    });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toContain('done=followUpAdded');
    const row = rows().find((r) => r.textEn === en)!;
    expect(row).toMatchObject({ status: 'planned', public: true, version: 1 });

    const change = {
      intent: 'followup_change',
      followUpId: row.id,
      textEn: en,
      textJa: row.textJa,
      ownerId: '',
      dueOn: FAR,
      status: 'done',
      closedOn: '',
      reasonEn: '',
      reasonJa: '',
      public: 'on',
    };
    const saved = await staff.post(path, { ...change, version: '1' });
    expect(saved.status).toBe(303);
    expect(site.db.select().from(followUps).where(eq(followUps.id, row.id)).get()).toMatchObject({ status: 'done', version: 2, ownerId: null });
    // A second tab that still shows version 1 is told someone saved first, and its typing stays.
    const stale = await staff.post(path, { ...change, status: 'in_progress', version: '1' });
    expect(stale.status).toBe(409);
    const conflict = await stale.text();
    expect(conflict).toContain('data-conflict');
    expect(conflict).toContain('name="version" value="2"');
    expect(site.db.select().from(followUps).where(eq(followUps.id, row.id)).get()!.status).toBe('done');
  });
});

describe('what readers see', () => {
  it('shows public follow-ups on the report, the open-commitments page and the feeds in both languages, and a staff-only one nowhere', async () => {
    const shown = { en: unique('Publish the load-test results'), ja: unique('負荷試験の結果を公開') };
    const hidden = { en: unique('Rotate the on-call secret'), ja: unique('当番の秘密を更新') };
    const kept = { en: unique('Add a cache-load alert'), ja: unique('キャッシュ負荷のアラートを追加') };
    await api('POST', '/follow-ups', { postmortem: 'renewal-outage', text: shown, due_on: FAR, status: 'in_progress' });
    await api('POST', '/follow-ups', { postmortem: 'renewal-outage', text: hidden, due_on: FAR, public: false });
    const hiddenDone = await (
      await api('POST', '/follow-ups', {
        postmortem: 'renewal-outage',
        text: { en: unique('Private done'), ja: unique('非公開完了') },
        due_on: FAR,
        public: false,
      })
    ).json();
    await api('PATCH', `/follow-ups/${hiddenDone.id}`, { status: 'done' });
    const done = await (await api('POST', '/follow-ups', { postmortem: 'renewal-outage', text: kept, due_on: FAR })).json();
    await api('PATCH', `/follow-ups/${done.id}`, { status: 'done', closed_on: '2018-08-01' });

    const report = await until(async () => {
      const html = await page('/postmortems/renewal-outage');
      return html.includes(kept.en) && html;
    });
    expect(report).toContain('What we committed to');
    expect(report).toContain(shown.en);
    expect(report).toMatch(/<span aria-hidden="true">✓ <\/span>Done<\/span>/);
    expect(report).toContain('done Wednesday, 1 August 2018');
    const ja = await page('/ja/postmortems/renewal-outage-ja');
    expect(ja).toContain('再発防止の約束');
    expect(ja).toContain(shown.ja);
    expect(ja).toContain('対応中');

    const list = await page('/commitments');
    expect(list).toContain(shown.en);
    // The list holds what is still open.
    expect(list).not.toContain(kept.en);
    expect(await page('/ja/commitments')).toContain(shown.ja);

    const atom = await page('/feed.atom');
    expect(atom).toContain(`/postmortems/renewal-outage#follow-up-${done.id}-done`);
    expect(atom).toContain(`Commitment done: ${kept.en}`);
    const jaFeed = JSON.parse(await page('/ja/feed.json'));
    const item = jaFeed.items.find((i: { id: string }) => i.id.endsWith(`#follow-up-${done.id}-done`));
    expect(item.title).toBe(`約束を完了:${kept.ja}`);
    expect(item.url).toContain('/ja/postmortems/renewal-outage-ja#follow-up-');

    const everywhere = [
      report,
      ja,
      list,
      await page('/ja/commitments'),
      atom,
      await page('/feed.rss'),
      await page('/feed.json'),
      JSON.stringify(jaFeed),
      await page('/api/v2/incidents.json'),
      await page('/postmortems'),
    ];
    for (const html of everywhere) {
      for (const secret of [hidden.en, hidden.ja, hiddenDone.text.en, hiddenDone.text.ja]) expect(html).not.toContain(secret);
    }
  });
});

describe('mail', () => {
  it('tells the incident’s subscribers once, each in their language, when the last public follow-up closes and staff ask', async () => {
    const en = `reader-en-${Date.now()}@example.com`;
    const ja = `reader-ja-${Date.now()}@example.com`;
    for (const [email, locale] of [
      [en, 'en'],
      [ja, 'ja'],
    ] as const) {
      site.db.insert(subscribers).values({ id: newPublicId(), email, locale, status: 'confirmed', createdAt: Date.now(), updatedAt: Date.now() }).run();
    }
    const t0 = Date.now() - 3 * 3_600_000;
    const { incidentId } = openIncident(site.db, { name: 'Queue delays', status: 'investigating', body: 'Jobs are late.', notify: false }, { now: t0 });
    resolveIncident(site.db, incidentId, { body: 'Back to normal.', notify: false }, { now: t0 + 3_600_000 });
    writeReport('queue-delays', incidentId, 'en', 'Postmortem: queue delays');
    await until(async () => (await api('GET', '/follow-ups?postmortem=queue-delays')).status === 200);

    const a = await (
      await api('POST', '/follow-ups', { postmortem: 'queue-delays', text: { en: 'Add a second worker', ja: 'ワーカーを 2 台に' }, due_on: FAR })
    ).json();
    const b = await (
      await api('POST', '/follow-ups', { postmortem: 'queue-delays', text: { en: 'Alert on queue age', ja: 'キューの滞留をアラート' }, due_on: FAR })
    ).json();
    await api('POST', '/follow-ups', {
      postmortem: 'queue-delays',
      text: { en: 'Staff-only clean-up', ja: 'スタッフのみの片付け' },
      due_on: FAR,
      public: false,
    });
    const told = () => site.db.select().from(notificationEvents).where(eq(notificationEvents.kind, 'followups_completed')).all();

    // One still open: nothing is sent, whatever staff ask.
    expect((await (await api('PATCH', `/follow-ups/${a.id}`, { status: 'done', notify: true })).json()).subscribers_told).toBe(false);
    expect(told()).toHaveLength(0);
    const last = await (
      await api('PATCH', `/follow-ups/${b.id}`, { status: 'dropped', reason: { en: 'The queue was replaced', ja: 'キューを置き換えました' }, notify: true })
    ).json();
    expect(last.subscribers_told).toBe(true);
    // Reopened and closed again: they were told already.
    await api('PATCH', `/follow-ups/${b.id}`, { status: 'in_progress' });
    expect((await (await api('PATCH', `/follow-ups/${b.id}`, { status: 'done', notify: true })).json()).subscribers_told).toBe(false);
    expect(told()).toHaveLength(1);

    const [english] = await until(async () => {
      const m = await mailsTo(en);
      return m.length > 0 && m;
    });
    const [japanese] = await until(async () => {
      const m = await mailsTo(ja);
      return m.length > 0 && m;
    });
    expect(english!.subject).toContain('Every commitment closed: queue delays');
    expect(english!.text).toContain('Add a second worker');
    expect(english!.text).toContain('The queue was replaced');
    expect(english!.text).not.toContain('Staff-only clean-up');
    expect(japanese!.subject).toContain('すべての約束が完了しました');
    expect(japanese!.text).toContain('ワーカーを 2 台に');
    expect(japanese!.text).not.toContain('スタッフのみの片付け');
    expect(await mailsTo(en)).toHaveLength(1);
    expect(await mailsTo(ja)).toHaveLength(1);
  });

  it('reminds the owner once when a follow-up passes its due date, and shows it overdue on the dashboard', async () => {
    const text = { en: unique('Write the runbook'), ja: unique('手順書を書く') };
    const created = await (await api('POST', '/follow-ups', { postmortem: 'renewal-outage', text, due_on: '2020-01-02' })).json();
    expect(created.overdue).toBe(true);
    const reminders = () =>
      site.db
        .select()
        .from(notificationEvents)
        .where(and(eq(notificationEvents.kind, 'followup_overdue'), like(notificationEvents.onceKey, `followup-overdue:${created.id}:%`)))
        .all();
    const mailsAbout = async () => (await mailsTo(ownerEmail)).filter((m) => (m.subject ?? '').includes(text.en));
    const [mail] = await until(async () => {
      const m = await mailsAbout();
      return m.length > 0 && m;
    });
    expect(mail!.subject).toContain('Follow-up overdue');
    expect(mail!.text).toContain('Thursday, 2 January 2020');
    expect(mail!.text).toContain(`/admin/postmortems/edit?file=${DEMO_FILE}#follow-ups`);
    // Later checks, here and on the server's own timer, find it reminded already.
    expect(remindOverdueFollowUps(site.db, Date.now(), 'Asia/Tokyo')).toBe(0);
    expect(reminders()).toHaveLength(1);

    const staff = await signedInStaff(site, 'editor');
    const dashboard = await (await staff.get('/admin')).text();
    expect(dashboard).toContain('Overdue follow-ups');
    expect(dashboard).toContain(`data-follow-up="${created.id}"`);
    expect(dashboard).toContain('Overdue: was due Thursday, 2 January 2020');
    expect(await mailsAbout()).toHaveLength(1);
  });
});

describe('the demo', () => {
  it('gives the June 18 report the four promises it made, owned by the demo admin', async () => {
    const { db, dir: dbDir } = freshDatabase();
    try {
      const first = await seedFirstStart(db, {
        now: Date.now(),
        timeZone: 'Asia/Tokyo',
        seed: 'auto',
        postmortems: { dir: join(dbDir, 'postmortems'), shipped: 'content/postmortems' },
      });
      const seeded = db.select().from(followUps).all();
      expect(seeded).toHaveLength(4);
      expect(seeded.map((f) => f.status).sort()).toEqual(['done', 'done', 'done', 'in_progress']);
      expect(new Set(seeded.map((f) => f.ownerId)).size).toBe(1);
      expect(seeded.every((f) => f.postmortemSlug === 'renewal-outage' && f.public && f.textJa.length > 0)).toBe(true);
      expect(first.seeded).toBe(true);
    } finally {
      db.$client.close();
      rmSync(dbDir, { recursive: true, force: true });
    }
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { components, incidentUpdates, subscribers } from '../../db/schema';
import { scheduleMaintenance } from '../../src/lib/incidents/schedule-maintenance';
import { runMaintenanceWindows } from '../../src/lib/incidents/run-maintenance-windows';
import { postIncidentUpdate } from '../../src/lib/incidents/post-update';
import { cancelMaintenance } from '../../src/lib/incidents/cancel-maintenance';
import { bumpChangeCounter } from '../../src/lib/site/change-counter';
import { siteSecret, signToken } from '../../src/lib/notifications/signed-tokens';
import { toLocalInput } from '../../src/lib/admin/form-input';
import { newPublicId } from '../../src/lib/ids';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ seed: true });
});
afterAll(async () => {
  await site?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(site.url + path, { headers });
const text = async (path: string, headers: Record<string, string> = {}) => (await get(path, headers)).text();
const STARTED_JA = '予定していたメンテナンスを開始しました。';
const STARTED_EN = 'Scheduled maintenance has begun.';
const COMPLETED_JA = '予定していたメンテナンスが完了しました。';
const CANCELLED_JA = 'このメンテナンスは中止になりました。';

/** A maintenance window that opened and closed an hour ago, run by the timers as the server's would. */
function finishedMaintenance(name: string): string {
  const now = Date.now();
  const { incidentId } = scheduleMaintenance(
    site.db,
    { name, body: 'Planned work.', scheduledFor: now - 7_200_000, scheduledUntil: now - 3_600_000 },
    { now: now - 10_800_000 },
  );
  runMaintenanceWindows(site.db, now);
  return incidentId;
}

describe('feeds per language', () => {
  it('serves /ja/feed.rss in Japanese, linking to /ja/ pages, and keeps /feed.rss in English whatever the reader asks for', async () => {
    const res = await get('/ja/feed.rss');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/rss+xml');
    const ja = await res.text();
    expect(ja).toContain('<language>ja</language>');
    expect(ja).toContain('の障害、メンテナンス、障害報告。');
    expect(ja).toContain('<title><![CDATA[リニューアル後にサービスが利用できなくなった障害: 解決]]></title>');
    expect(ja).toContain(`<link>${site.url}/ja/incidents/jun18renewal#update-`);
    expect(ja).toContain(`<atom:link href="${site.url}/ja/feed.rss"`);
    expect(ja).not.toMatch(new RegExp(`<link>${site.url}/incidents/`));
    // The postmortem written in both languages appears once, in the feed's.
    expect(ja).toContain(`<link>${site.url}/ja/postmortems/renewal-outage-ja</link>`);
    expect(ja).not.toContain('Postmortem: almost 20 hours');

    const en = await text('/feed.rss', { 'accept-language': 'ja' });
    expect(en).toContain('<language>en</language>');
    expect(en).toContain('Service unavailable after the renewal release: Resolved');
    expect(en).toContain(`<link>${site.url}/incidents/jun18renewal#update-`);
    expect(en).toContain('Postmortem: almost 20 hours');
    expect(en).not.toContain('リニューアル後');
  });

  it('serves each component’s feed under /ja/ with the component’s Japanese name, and the 404 for unknown ones', async () => {
    const web = site.db.select({ id: components.id }).from(components).where(eq(components.name, 'Web app')).get()!;
    const ja = await text(`/ja/feed/${web.id}.rss`);
    expect(ja).toContain('Web アプリ</title>');
    expect(ja).toContain(`${site.url}/ja/feed/${web.id}.rss`);
    expect(ja).toContain('<category>Web アプリ</category>');
    expect(await text(`/feed/${web.id}.rss`)).toContain('Web app</title>');
    expect((await get('/ja/feed/zzzzzzzzzzzz.rss')).status).toBe(404);
  });

  it('links the page’s feed in the page’s language', async () => {
    expect(await text('/ja/')).toContain('href="/ja/feed.rss"');
    expect(await text('/en/')).toContain('href="/feed.rss"');
  });
});

describe('texts the system writes', () => {
  it('stores the maintenance started and completed texts as keys and says them in each reader’s language', async () => {
    const id = finishedMaintenance('Storage move');
    const rows = site.db
      .select({ body: incidentUpdates.body, bodyKey: incidentUpdates.bodyKey })
      .from(incidentUpdates)
      .where(eq(incidentUpdates.incidentId, id))
      .all();
    expect(rows.filter((r) => r.bodyKey !== null).map((r) => r.body)).toEqual(['', '']);
    expect(rows.map((r) => r.bodyKey).sort()).toEqual(['maintenance_completed', 'maintenance_started', null]);

    const ja = await text(`/ja/incidents/${id}`);
    expect(ja).toContain(STARTED_JA);
    expect(ja).toContain(COMPLETED_JA);
    expect(ja).not.toContain(STARTED_EN);
    const en = await text(`/en/incidents/${id}`);
    expect(en).toContain(STARTED_EN);
    expect(en).toContain('Scheduled maintenance has been completed.');
    expect(await text('/ja/feed.rss')).toContain(STARTED_JA);
  });

  it('says a cancellation in the reader’s language, and a text staff wrote as they wrote it', async () => {
    const now = Date.now();
    const { incidentId } = scheduleMaintenance(
      site.db,
      { name: 'Search reindex', body: 'Planned work.', scheduledFor: now + 86_400_000, scheduledUntil: now + 90_000_000 },
      { now },
    );
    cancelMaintenance(site.db, incidentId, {}, { now });
    expect(await text(`/ja/incidents/${incidentId}`)).toContain(CANCELLED_JA);
    expect(await text(`/en/incidents/${incidentId}`)).toContain('This maintenance has been cancelled.');

    const other = scheduleMaintenance(
      site.db,
      { name: 'Queue upgrade', body: 'Planned work.', scheduledFor: now + 86_400_000, scheduledUntil: now + 90_000_000 },
      { now },
    ).incidentId;
    cancelMaintenance(site.db, other, { body: 'Moved to next week.' }, { now });
    expect(await text(`/ja/incidents/${other}`)).toContain('Moved to next week.');
  });

  it('reads the English sentences older versions stored in the reader’s language once the migration has run', async () => {
    const now = Date.now();
    const { incidentId } = scheduleMaintenance(
      site.db,
      { name: 'Old-style window', body: 'Planned work.', scheduledFor: now - 7_200_000, scheduledUntil: now + 3_600_000, autoTransitions: false },
      { now: now - 10_800_000 },
    );
    // What the timers wrote before texts were stored as keys.
    postIncidentUpdate(
      site.db,
      incidentId,
      {
        status: 'in_progress',
        body: 'Scheduled maintenance has begun. Affected services may be unavailable until the window ends.',
        displayAt: now - 7_200_000,
      },
      { now },
    );
    postIncidentUpdate(site.db, incidentId, { status: 'verifying', body: 'Staff wrote this one.', displayAt: now - 3_600_000 }, { now });
    const migration = readFileSync('db/migrations/0010_store_automatic_update_texts_as_keys.sql', 'utf8');
    site.db.transaction((tx) => {
      for (const statement of migration.split('--> statement-breakpoint')) site.db.$client.exec(statement);
      bumpChangeCounter(tx);
    });
    const rows = site.db
      .select({ body: incidentUpdates.body, bodyKey: incidentUpdates.bodyKey, status: incidentUpdates.status })
      .from(incidentUpdates)
      .where(eq(incidentUpdates.incidentId, incidentId))
      .all();
    expect(rows.find((r) => r.status === 'in_progress')).toEqual({ body: '', bodyKey: 'maintenance_started', status: 'in_progress' });
    expect(rows.find((r) => r.status === 'verifying')).toEqual({ body: 'Staff wrote this one.', bodyKey: null, status: 'verifying' });
    const ja = await text(`/ja/incidents/${incidentId}`);
    expect(ja).toContain(STARTED_JA);
    expect(ja).toContain('Staff wrote this one.');
  });
});

describe('translation fields on staff forms', () => {
  it('schedules maintenance with a Japanese name and description that /ja/ readers see', async () => {
    const staff = await signedInStaff(site);
    const form = await (await staff.get('/admin/maintenance/new')).text();
    expect(form).toContain('name="name:ja"');
    expect(form).toContain('name="body:ja"');
    const start = Date.now() + 2 * 86_400_000;
    const res = await staff.post('/admin/maintenance/new', {
      name: 'Network switch replacement',
      'name:ja': 'ネットワーク機器の交換',
      scheduledFor: toLocalInput(start, site.config.timeZone),
      scheduledUntil: toLocalInput(start + 3_600_000, site.config.timeZone),
      body: 'We replace a network switch.',
      'body:ja': 'ネットワーク機器を交換します。',
    });
    expect(res.status).toBe(303);
    const id = /\/admin\/incidents\/([a-z0-9]{12})/.exec(res.headers.get('location') ?? '')![1]!;
    const ja = await text(`/ja/incidents/${id}`);
    expect(ja).toContain('<h1>ネットワーク機器の交換</h1>');
    expect(ja).toContain('ネットワーク機器を交換します。');
    const en = await text(`/en/incidents/${id}`);
    expect(en).toContain('<h1>Network switch replacement</h1>');
    expect(en).not.toContain('ネットワーク機器');
    expect(await text('/ja/')).toContain('ネットワーク機器の交換');
  });

  it('resolves and corrects an incident with Japanese texts beside the English ones', async () => {
    const staff = await signedInStaff(site);
    const opened = await staff.post('/admin/incidents/new', {
      name: 'Exports failing',
      'name:ja': 'エクスポートの失敗',
      status: 'investigating',
      body: 'Exports fail.',
      'body:ja': 'エクスポートが失敗しています。',
    });
    const id = /\/admin\/incidents\/([a-z0-9]{12})/.exec(opened.headers.get('location') ?? '')![1]!;
    const page = await (await staff.get(`/admin/incidents/${id}`)).text();
    expect(page).toContain('name="resolveBody:ja"');
    // The correction form shows the stored translation, ready to change.
    const first = site.db.select().from(incidentUpdates).where(eq(incidentUpdates.incidentId, id)).get()!;
    expect(page).toContain(`name="body-${first.id}:ja"`);
    expect(page).toMatch(new RegExp(`name="body-${first.id}:ja"[^>]*>エクスポートが失敗しています。</textarea>`));

    const corrected = await staff.post(`/admin/incidents/${id}`, {
      intent: 'edit_update',
      updateId: first.id,
      version: String(first.version),
      [`body-${first.id}`]: 'Exports of large boards fail.',
      [`body-${first.id}:ja`]: '大きなボードのエクスポートが失敗しています。',
      [`displayAt-${first.id}`]: toLocalInput(first.displayAt, site.config.timeZone),
    });
    expect(corrected.status).toBe(303);
    const resolved = await staff.post(`/admin/incidents/${id}`, {
      intent: 'resolve',
      resolveBody: 'Exports work again.',
      'resolveBody:ja': 'エクスポートは復旧しました。',
      notify: 'on',
    });
    expect(resolved.status).toBe(303);

    const ja = await text(`/ja/incidents/${id}`);
    expect(ja).toContain('大きなボードのエクスポートが失敗しています。');
    expect(ja).toContain('エクスポートは復旧しました。');
    const en = await text(`/en/incidents/${id}`);
    expect(en).toContain('Exports of large boards fail.');
    expect(en).toContain('Exports work again.');
    expect(en).not.toContain('エクスポート');
  });

  it('keeps a system text a key when staff correct only its time', async () => {
    const id = finishedMaintenance('Cache warm-up');
    const started = site.db
      .select()
      .from(incidentUpdates)
      .where(eq(incidentUpdates.incidentId, id))
      .all()
      .find((u) => u.bodyKey === 'maintenance_started')!;
    const staff = await signedInStaff(site);
    const page = await (await staff.get(`/admin/incidents/${id}`)).text();
    expect(page).toContain('Scheduled maintenance has begun.');
    const res = await staff.post(`/admin/incidents/${id}`, {
      intent: 'edit_update',
      updateId: started.id,
      version: String(started.version),
      [`body-${started.id}`]: 'Scheduled maintenance has begun. Affected services may be unavailable until the window ends.',
      [`displayAt-${started.id}`]: toLocalInput(started.displayAt + 60_000, site.config.timeZone),
    });
    expect(res.status).toBe(303);
    const after = site.db.select().from(incidentUpdates).where(eq(incidentUpdates.id, started.id)).get()!;
    // The form reads times to the minute.
    expect(after).toMatchObject({ bodyKey: 'maintenance_started', body: '', displayAt: Math.floor((started.displayAt + 60_000) / 60_000) * 60_000 });
    expect(await text(`/ja/incidents/${id}`)).toContain(STARTED_JA);
  });
});

describe('subscription pages in Japanese', () => {
  it('names components in Japanese on /ja/subscribe and on the manage page', async () => {
    const form = await text('/ja/subscribe');
    expect(form).toContain('Web アプリ');
    expect(form).toContain('ファイル添付');
    expect(form).not.toContain('>Web app<');

    const id = newPublicId();
    site.db
      .insert(subscribers)
      .values({ id, email: `ja-${id}@example.com`, locale: 'ja', componentIds: null, status: 'confirmed', createdAt: Date.now(), updatedAt: Date.now() })
      .run();
    const token = signToken(siteSecret(site.db), id, 'manage', 0);
    const manage = await text(`/ja/subscribe/manage?token=${encodeURIComponent(token)}`);
    expect(manage).toContain('Web アプリ');
    expect(manage).not.toContain('>Web app<');
  });
});

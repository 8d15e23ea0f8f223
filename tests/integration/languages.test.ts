import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestSite, type TestSite } from '../support/test-server';

let site: TestSite;
let postmortems: string;
beforeAll(async () => {
  // Both language versions of the June 18 postmortem, in a folder of this test's own.
  postmortems = mkdtempSync(join(tmpdir(), 'shirase-pm-lang-'));
  cpSync('content/postmortems', postmortems, { recursive: true });
  site = await startTestSite({ seed: true, env: { POSTMORTEMS_DIR: postmortems } });
});
afterAll(async () => {
  await site?.close();
  rmSync(postmortems, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(site.url + path, { headers });
const h1 = (html: string) => /<h1 id="banner-title">([^<]+)</.exec(html)?.[1];

describe('language negotiation', () => {
  it('serves Japanese at /ja/ and English at /en/, each with lang and links that stay in the language', async () => {
    const ja = await (await get('/ja/')).text();
    expect(ja).toContain('<html lang="ja"');
    expect(h1(ja)).toBe('すべてのシステムが正常に稼働しています');
    expect(ja).toContain('href="/ja/history"');
    const en = await (await get('/en/')).text();
    expect(h1(en)).toBe('All Systems Operational');
    expect(en).toContain('href="/en/history"');
  });

  it('follows Accept-Language on unprefixed pages and says so in Vary', async () => {
    const res = await get('/', { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.5' });
    expect(h1(await res.text())).toBe('すべてのシステムが正常に稼働しています');
    expect(res.headers.get('vary')).toBe('Accept-Encoding, Accept-Language');
    expect(h1(await (await get('/', { 'accept-language': 'fr' })).text())).toBe('All Systems Operational');
    // A prefixed page is the same whatever the header says, so shared caches keep one copy of it.
    expect((await get('/ja/', { 'accept-language': 'en' })).headers.get('vary')).toBe('Accept-Encoding');
    expect((await get('/api/v2/summary.json')).headers.get('vary')).toBe('Accept-Encoding');
    expect(h1(await (await get('/')).text())).toBe('All Systems Operational');
  });

  it("gives the API reference in the reader's language", async () => {
    const ja = await (await get('/ja/api')).text();
    expect(ja).toContain('<title>公開 JSON API');
    expect(ja).toContain('認証は不要です');
    const en = await (await get('/api', { 'accept-language': 'en' })).text();
    expect(en).toContain('needs no authentication');
    expect(en).not.toContain('認証は不要です');
  });

  it('translates incident pages and the history, and keeps the JSON API in its fixed English vocabulary', async () => {
    expect(await (await get('/ja/incidents/jun18renewal')).text()).toContain('19時間 40分');
    expect(await (await get('/ja/history')).text()).toContain('障害履歴');
    const summary = await (await get('/api/v2/summary.json', { 'accept-language': 'ja' })).json();
    expect(summary.status.description).toBe('All Systems Operational');
    expect((await get('/ja/api/v2/summary.json')).status).toBe(404);
  });

  it('answers unknown pages under a language with that language’s not-found page', async () => {
    const res = await get('/ja/incidents/zzzzzzzzzzzz');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('ページが見つかりません');
  });
});

describe('content in two languages', () => {
  it('shows readers the Japanese text staff wrote, and falls back to the original where there is none', async () => {
    const ja = await (await get('/ja/incidents/jun18renewal')).text();
    expect(ja).toContain('リニューアル後にサービスが利用できなくなった障害');
    expect(ja).toContain('キャッシュサーバーに非常に高い負荷');
    expect(ja).toContain('Web アプリ');
    const en = await (await get('/en/incidents/jun18renewal')).text();
    expect(en).toContain('Service unavailable after the renewal release');
    expect(en).not.toContain('キャッシュサーバー');
    // An incident written only in English reads in English on the Japanese page.
    const { incidentId } = openIncident(site.db, { name: 'Only said in English', status: 'investigating', body: 'No translation yet.' }, { now: Date.now() });
    await site.server.checkForChanges();
    const untranslated = await (await get(`/ja/incidents/${incidentId}`)).text();
    expect(untranslated).toContain('Only said in English');
    expect(untranslated).toContain('No translation yet.');
  });

  it('lets staff write both languages side by side and sends each subscriber their own', async () => {
    const { signedInStaff } = await import('../support/staff');
    const staff = await signedInStaff(site);
    const res = await staff.post('/admin/incidents/new', {
      name: 'Search is slow',
      'name:ja': '検索が遅い',
      status: 'investigating',
      body: 'Searches take several seconds.',
      'body:ja': '検索に数秒かかっています。',
    });
    expect(res.status).toBe(303);
    const id = /([a-z0-9]{12})\?/.exec(res.headers.get('location')!)![1]!;
    const page = await (await get(`/ja/incidents/${id}`)).text();
    expect(page).toContain('検索が遅い');
    expect(page).toContain('検索に数秒かかっています。');

    const { previewUpdateEmail } = await import('../../src/lib/notifications/compose');
    const { loadIncident } = await import('../../src/lib/incidents/load-incidents');
    expect(loadIncident(site.db, id, 'ja')!.name).toBe('検索が遅い');
    const mail = previewUpdateEmail(site.db, site.config, id, { status: 'identified', body: 'x' }, 'ja', Date.now())!;
    expect(mail.subject).toBe(`[${site.config.siteName}] 障害:検索が遅い`);
    expect(mail.text).toContain('[原因特定]');
  });
});

describe('component names in two languages', () => {
  it('are set in the admin and shown to Japanese readers', async () => {
    const { signedInStaff } = await import('../support/staff');
    const staff = await signedInStaff(site, 'admin');
    await staff.post('/admin/components', { intent: 'create_component', name: 'Reports', 'name:ja': 'レポート' });
    const status = await (await get('/ja/')).text();
    expect(status).toContain('レポート');
    expect(await (await get('/en/')).text()).toContain('Reports');
    const admin = await (await staff.get('/admin/components')).text();
    expect(admin).toMatch(/id="c-[a-z0-9]{12}-name-ja"[^>]*value="レポート"/);
  });
});

describe('postmortems in two languages', () => {
  it('send each reader to the report in their language and link the versions to each other', async () => {
    const ja = await (await get('/ja/incidents/jun18renewal')).text();
    expect(ja).toContain('href="/ja/postmortems/renewal-outage-ja"');
    const en = await (await get('/en/incidents/jun18renewal')).text();
    expect(en).toContain('href="/en/postmortems/renewal-outage"');
    const report = await (await get('/en/postmortems/renewal-outage')).text();
    expect(report).toMatch(/href="\/en\/postmortems\/renewal-outage-ja" hreflang="ja" lang="ja">日本語/);
    const jaReport = await (await get('/ja/postmortems/renewal-outage-ja')).text();
    expect(jaReport).toContain('<article class="postmortem prose" lang="ja">');
    expect(jaReport).toContain('19時間 40分');
  });
});

describe('error messages', () => {
  it('say what to fix in the reader’s language', async () => {
    const { postForm, signedInStaff } = await import('../support/staff');
    const sub = await postForm(site, '/ja/subscribe', { email: 'not-an-address', scope: 'all', locale: 'ja' });
    expect(sub.status).toBe(422);
    const page = await sub.text();
    expect(page).toContain('name@example.com のようなメールアドレスを入力してください。');
    expect(page).toContain('value="not-an-address"');

    const staff = await signedInStaff(site);
    const form = await staff.post('/ja/admin/incidents/new', { name: '', status: 'investigating', body: '' });
    expect(form.status).toBe(422);
    const html = await form.text();
    expect(html).toContain('名前を入力してください。');
    expect(html).toContain('保存されませんでした。2 か所の入力を直してください。');
  });

  it('keep a Japanese staff member on Japanese pages after a save and when asked to sign in', async () => {
    const { signedInStaff } = await import('../support/staff');
    const staff = await signedInStaff(site);
    const saved = await staff.post('/ja/admin/incidents/new', { name: '言語の確認', status: 'investigating', body: '確認中です。' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toMatch(/^\/ja\/admin\/incidents\/[a-z0-9]{12}\?done=opened$/);
    const english = await staff.post('/admin/incidents/new', { name: 'Language check', status: 'investigating', body: 'Checking.' });
    expect(english.headers.get('location')).toMatch(/^\/admin\/incidents\//);
    const stranger = await fetch(site.url + '/ja/admin/settings', { redirect: 'manual' });
    expect(stranger.status).toBe(303);
    expect(stranger.headers.get('location')).toBe(`/ja/admin/login?next=${encodeURIComponent('/admin/settings')}`);
  });

  it('come from the catalogs with their parameters, for a Japanese admin and the write API alike', async () => {
    const { signedInStaff } = await import('../support/staff');
    const staff = await signedInStaff(site);
    const taken = await fetch(site.url + '/admin/users', {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: staff.cookie, origin: site.url, 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'ja' },
      body: new URLSearchParams({ intent: 'create', email: staff.email, role: 'editor' }),
    });
    expect(taken.status).toBe(409);
    const html = await taken.text();
    expect(html).toContain(`${staff.email} のアカウントはすでにあります。`);
    expect(html).toContain('このアドレスのアカウントはすでにあります。');
    expect(html).not.toContain('already exists');

    const api = await fetch(site.url + '/api/v1/incidents', {
      method: 'POST',
      headers: { 'accept-language': 'ja', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(api.status).toBe(401);
    expect((await api.json()).error).toMatchObject({
      code: 'UNAUTHORIZED',
      key: 'errors.token.missing',
      message: 'このエンドポイントには API トークンが必要です。',
    });
  });

  it('say a broken subscription link in Japanese on /ja/', async () => {
    const html = await (await get('/ja/subscribe/manage?token=forged')).text();
    expect(html).toContain('このリンクは無効です。');
    expect(html).not.toContain('This link is not valid');
  });
});

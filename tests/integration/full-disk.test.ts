import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { createApiToken } from '../../src/lib/auth/create-api-token';

// The database may grow to 8 MB (DATABASE_MAX_MB); the test fills it to the
// brim, so every write that needs a new page meets SQLITE_FULL in the server's
// own connections, as it would on a full disk.
const MAX_MB = 8;
let site: TestSite;
let staff: Awaited<ReturnType<typeof signedInStaff>>;
let token: string;
beforeAll(async () => {
  site = await startTestSite({ seed: true, env: { DATABASE_MAX_MB: String(MAX_MB) } });
  staff = await signedInStaff(site, 'admin');
  token = createApiToken(site.db, { name: 'full disk probe', scopes: ['incidents'] }, { now: Date.now() }).token;
});
afterAll(() => site?.close());

/** Fills the database up to the ceiling with rows of shrinking size, each its own commit, until not even a small one fits. */
function fillDatabase(): void {
  const sqlite = site.db.$client;
  sqlite.pragma(`max_page_count = ${(MAX_MB * 1024 * 1024) / Number(sqlite.pragma('page_size', { simple: true }))}`);
  sqlite.prepare('create table filler (x blob)').run();
  const insert = sqlite.prepare('insert into filler (x) values (randomblob(?))');
  for (const size of [1_000_000, 64_000, 4_000, 500, 50]) {
    for (;;) {
      try {
        insert.run(size);
      } catch (error) {
        expect((error as { code?: string }).code).toBe('SQLITE_FULL');
        break;
      }
    }
  }
}

const localInput = (minutesAgo: number) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo', dateStyle: 'short', timeStyle: 'short' })
    .format(new Date(Date.now() - minutesAgo * 60_000))
    .replace(' ', 'T');
/** An update long enough to need pages of its own. */
const longBody = Array.from({ length: 1_200 }, (_, i) => `word${i}`).join(' ');
const openIncidentForm = (name: string) => ({ name, status: 'investigating', body: longBody, displayAt: localInput(5), impact: 'auto' });
const callApi = (language: string) =>
  fetch(`${site.url}/api/v1/incidents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'accept-language': language },
    body: JSON.stringify({ name: 'Full disk via the API', body: longBody }),
  });

describe('a full disk', () => {
  beforeAll(() => fillDatabase());

  it('answers a staff form with a readable 503 in the reader’s language, keeping what was typed', async () => {
    const english = await staff.post('/admin/incidents/new', openIncidentForm('Probe while the disk is full'));
    expect(english.status).toBe(503);
    const html = await english.text();
    expect(html).toContain('Nothing was saved: the server has no room left to store it (its disk is full).');
    expect(html).toContain('value="Probe while the disk is full"');
    expect(html).toContain('word1199');

    const japanese = await staff.post('/ja/admin/incidents/new', openIncidentForm('満杯のディスク'));
    expect(japanese.status).toBe(503);
    const ja = await japanese.text();
    expect(ja).toContain('保存されませんでした。サーバーに保存する空き容量がありません（ディスクがいっぱいです）。');
    expect(ja).toContain('value="満杯のディスク"');
  });

  it('answers the API with 503 and the stable code STORAGE_FULL, said in English and Japanese', async () => {
    const english = await callApi('en');
    expect(english.status).toBe(503);
    expect(english.headers.get('retry-after')).toBe('60');
    expect((await english.json()).error).toMatchObject({
      code: 'STORAGE_FULL',
      key: 'errors.storageFull',
      message: 'Nothing was saved: the server has no room left to store it (its disk is full).',
    });
    const japanese = await callApi('ja');
    expect(japanese.status).toBe(503);
    expect((await japanese.json()).error).toMatchObject({
      code: 'STORAGE_FULL',
      message: '保存されませんでした。サーバーに保存する空き容量がありません（ディスクがいっぱいです）。',
    });
  });

  it('keeps serving the public page, and takes writes again once there is room', async () => {
    expect((await fetch(site.url + '/')).status).toBe(200);
    site.db.$client.prepare('delete from filler').run();
    const saved = await staff.post('/admin/incidents/new', openIncidentForm('Saved once there was room'));
    expect(saved.status).toBe(303);
    expect((await callApi('en')).status).toBe(201);
  });
});

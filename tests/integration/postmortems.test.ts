import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { eq } from 'drizzle-orm';
import { notificationEvents } from '../../db/schema';
import { createComponent } from '../../src/lib/components/create-component';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { postIncidentUpdate } from '../../src/lib/incidents/post-update';
import { resolveIncident } from '../../src/lib/incidents/resolve-incident';
import { loadIncident } from '../../src/lib/incidents/load-incidents';

const DEMO = 'content/postmortems/2018-06-22-renewal-outage.md';
let site: TestSite;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shirase-postmortems-'));
  copyFileSync(DEMO, join(dir, '2018-06-22-renewal-outage.md'));
  site = await startTestSite({ seed: true, env: { POSTMORTEMS_DIR: dir } });
});
afterAll(async () => {
  await site?.close();
  rmSync(dir, { recursive: true, force: true });
});

const html = async (path: string) => (await fetch(site.url + path)).text();
async function until(check: () => Promise<boolean>, limitMs = 6_000): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('the June 18 postmortem', () => {
  it('is listed once on each list of postmortems, in the reader’s language', async () => {
    const links = (page: string) => [...page.matchAll(/href="[^"]*\/postmortems\/(renewal-outage[\w-]*)"/g)].map((m) => m[1]);
    expect(links(await html('/en/postmortems'))).toEqual(['renewal-outage']);
    expect(links(await html('/ja/postmortems'))).toEqual(['renewal-outage-ja']);
  });

  it('shows the impact window, generated metrics and the timeline grouped by day', async () => {
    const page = await html('/postmortems/renewal-outage');
    expect(page).toContain('19 h 40 min');
    expect(page).toMatch(/data-metric="identify"[^>]*><dt>Time to identify<\/dt><dd><strong>4 h<\/strong>/);
    for (const day of ['Sunday, 17 June 2018', 'Monday, 18 June 2018', 'Tuesday, 19 June 2018']) expect(page).toContain(day);
    expect(page).toContain('Maintenance mode is on and the renewal work has begun.');
    expect(page).toContain('<svg class="phases"');
    expect(page).toContain('<table>');
    expect(page).toContain('href="#pm-root-cause"');
  });

  // Each figure, its value, and the definition printed beside it; the longest silence also says when.
  const figure = (page: string, key: string) => {
    const m = new RegExp(`data-metric="${key}"[^>]*><dt>([^<]+)</dt><dd><strong>([^<]+)</strong>(.*?)<span class="definition">([^<]+)</span>`, 's').exec(page);
    return m ? { name: m[1], value: m[2], rest: m[3]!.replace(/<[^>]+>/g, ''), definition: m[4] } : undefined;
  };

  it('gives each figure with its definition, counting what customers heard, in English', async () => {
    const page = await html('/postmortems/renewal-outage');
    expect(figure(page, 'firstWord')).toMatchObject({
      name: 'Time to first public word',
      value: '1 h 6 min',
      definition: 'From the start of impact until the first update was published on this page.',
    });
    expect(figure(page, 'identify')).toMatchObject({
      value: '4 h',
      definition: 'From the start of impact until the first update marked “identified” was published.',
    });
    const silence = figure(page, 'longestSilence')!;
    expect(silence).toMatchObject({ name: 'Longest silence', value: '4 h 20 min' });
    expect(silence.rest).toMatch(/18 Jun 2018,? 18:10 – 22:30/);
    expect(silence.definition).toContain('The longest time customers heard nothing while it was open');
    expect(figure(page, 'resolve')).toMatchObject({
      name: 'Time to resolve',
      value: '19 h 40 min',
      definition: 'From the start of impact to the time the update that resolved it is dated.',
    });
    expect(page).toContain(
      'Notes written afterwards (published after it was resolved, or more than 15 minutes after the time they are dated) are left out of every figure.',
    );
    expect(page).toContain('From the start of impact (the time we gave for when it began, or else the time its first update is dated)');
  });

  it('gives each figure with its definition in Japanese', async () => {
    const page = await html('/ja/postmortems/renewal-outage-ja');
    expect(figure(page, 'firstWord')).toMatchObject({
      name: '最初の公表までの時間',
      value: '1時間 6分',
      definition: '影響の始まりから、このページに最初の報告を掲載するまで。',
    });
    expect(figure(page, 'identify')).toMatchObject({ name: '原因特定までの時間', value: '4時間' });
    const silence = figure(page, 'longestSilence')!;
    expect(silence).toMatchObject({ name: 'お知らせのなかった最長の時間', value: '4時間 20分' });
    expect(silence.rest).toMatch(/18:10 – 22:30/);
    expect(silence.definition).toContain('お客様へ何もお知らせしていなかった最も長い時間');
    expect(figure(page, 'resolve')).toMatchObject({
      name: '解決までの時間',
      value: '19時間 40分',
      definition: '影響の始まりから、解決の報告に記した時刻まで。',
    });
    expect(page).toContain('事後に書いた記録（解決の後に掲載したもの、または記した時刻より 15 分を超えて後に掲載したもの）は、どの数値にも含めていません。');
    // {{sla}} after the generated blocks: the table once.
    expect(page.match(/id="pm-sla-title"/g)).toHaveLength(1);
  });

  it('is linked from its incident, the history, and gives the incident the status postmortem', async () => {
    expect(await html('/incidents/jun18renewal')).toContain('href="/postmortems/renewal-outage"');
    expect(await html('/history')).toContain('href="/postmortems/renewal-outage"');
    const { incidents } = await (await fetch(site.url + '/api/v2/incidents.json')).json();
    expect(incidents.find((i: { id: string }) => i.id === 'jun18renewal').status).toBe('postmortem');
  });
});

describe('postmortem files', () => {
  it('appear on the site when added while it runs, with no rebuild or restart', async () => {
    const file = readFileSync(DEMO, 'utf8')
      .replace('slug: renewal-outage', 'slug: second-look')
      .replace('title: "Postmortem: almost 20 hours', 'title: "A second look: almost 20 hours');
    writeFileSync(join(dir, '2018-06-22-second-look.md'), file);
    expect(await until(async () => (await fetch(site.url + '/postmortems/second-look')).status === 200)).toBe(true);
    expect(await html('/postmortems')).toContain('A second look');
  });

  it('never take the site down when one is broken; staff see which file, field and what to fix', async () => {
    writeFileSync(join(dir, '2018-07-01-broken.md'), '---\ntitle: ""\nslug: Bad Slug\ndate: 2018-07-01\n---\nBody');
    writeFileSync(join(dir, '2018-07-02-not-yaml.md'), '---\ntitle: [unclosed\n---\n');
    expect(await until(async () => (await html('/postmortems')).length > 0 && (await fetch(site.url + '/')).status === 200)).toBe(true);
    expect((await fetch(site.url + '/postmortems/renewal-outage')).status).toBe(200);
    const staff = await signedInStaff(site);
    const admin = await (await staff.get('/admin/postmortems')).text();
    expect(admin).toContain('2018-07-01-broken.md');
    expect(admin).toMatch(/title: Give the postmortem a title\./);
    expect(admin).toMatch(/slug: Use lowercase letters/);
    expect(admin).toContain('2018-07-02-not-yaml.md');
  });
});

describe('the postmortem editor', () => {
  it('saves a draft, publishes it, and unpublishes it', async () => {
    const staff = await signedInStaff(site, 'editor');
    const fields = {
      title: 'Upload failures',
      slug: 'upload-failures',
      date: '2026-01-15',
      summary: 'Uploads failed for an hour.',
      locale: 'en',
      body: '## What happened\n\nA disk filled up.\n\n{{report}}',
    };
    const saved = await staff.post('/admin/postmortems/edit', { ...fields, action: 'save' });
    expect(saved.status).toBe(303);
    expect(existsSync(join(dir, '2026-01-15-upload-failures.md'))).toBe(true);
    // Emailing subscribers is a yes staff give, unticked until they do.
    const editor = await (await staff.get('/admin/postmortems/edit?file=2026-01-15-upload-failures.md')).text();
    expect(editor).toMatch(/<input id="pm-notify" name="notify" type="checkbox" aria-describedby="pm-notify-hint"\s*\/?>/);
    expect(editor).toContain('Email subscribers when it is published');
    const announcements = () => site.db.select().from(notificationEvents).where(eq(notificationEvents.kind, 'postmortem_published')).all().length;
    const before = announcements();
    expect((await fetch(site.url + '/postmortems/upload-failures')).status).toBe(404);

    const published = await staff.post('/admin/postmortems/edit', { ...fields, originalFile: '2026-01-15-upload-failures.md', action: 'publish' });
    expect(published.status).toBe(303);
    expect(await until(async () => (await fetch(site.url + '/postmortems/upload-failures')).status === 200)).toBe(true);
    expect(readFileSync(join(dir, '2026-01-15-upload-failures.md'), 'utf8')).toMatch(/published: "?\d{4}-/);
    expect(announcements()).toBe(before);

    await staff.post('/admin/postmortems/edit', { ...fields, originalFile: '2026-01-15-upload-failures.md', action: 'unpublish', confirmed: 'yes' });
    expect(await until(async () => (await fetch(site.url + '/postmortems/upload-failures')).status === 404)).toBe(true);
  });

  it('keeps the text and says what to fix when a field is wrong, writing no file', async () => {
    const staff = await signedInStaff(site);
    const res = await staff.post('/admin/postmortems/edit', {
      title: 'X',
      slug: 'Not OK',
      date: '2026-01-16',
      locale: 'en',
      summary: '',
      body: 'My careful draft.',
      action: 'save',
    });
    expect(res.status).toBe(422);
    const page = await res.text();
    expect(page).toContain('My careful draft.');
    expect(page).toContain('Use lowercase letters, digits and hyphens');
    expect(existsSync(join(dir, '2026-01-16-Not OK.md'))).toBe(false);
  });

  it('previews the whole report without saving it', async () => {
    const staff = await signedInStaff(site);
    const res = await staff.post('/admin/postmortems/edit', {
      title: 'Preview only',
      slug: 'preview-only',
      date: '2026-01-17',
      locale: 'en',
      summary: '',
      incidents: ['jun18renewal'],
      body: '{{metrics}}',
      action: 'preview',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Time to resolve<\/dt><dd><strong>19 h 40 min/);
    expect(existsSync(join(dir, '2026-01-17-preview-only.md'))).toBe(false);
  });

  it('shows the uptime table once where {{report}} already carries it and {{sla}} places it too', async () => {
    const staff = await signedInStaff(site);
    const res = await staff.post('/admin/postmortems/edit', {
      title: 'Report and table',
      slug: 'report-and-table',
      date: '2026-01-17',
      locale: 'en',
      summary: '',
      incidents: ['jun18renewal'],
      body: '{{report}}\n\nThis is how June measured against our promise:\n\n{{sla}}',
      action: 'preview',
    });
    const page = await res.text();
    expect(page.match(/id="pm-sla-title"/g)).toHaveLength(1);
    expect(page.match(/id="pm-metrics-title"/g)).toHaveLength(1);
    // Where the author placed it: after their sentence, not inside the report.
    expect(page.indexOf('id="pm-sla-title"')).toBeGreaterThan(page.indexOf('This is how June measured'));
  });

  it('keeps a note written afterwards out of the figures, the impact and the chart, and marks it in the timeline', async () => {
    // The walk's replay: the first update went out 6 minutes after the trouble it dates; the API was down 8 minutes;
    // 11 minutes after the resolution a note was added, dated 11 minutes before the trouble began.
    const T = Date.UTC(2026, 0, 20, 3, 0);
    const min = 60_000;
    const { componentId } = createComponent(site.db, { name: 'Figures replay API', createdAt: T - 86_400_000 }, { now: T - 86_400_000 });
    const { incidentId } = openIncident(
      site.db,
      { name: 'Figures replay', status: 'investigating', body: 'The API is down.', displayAt: T, components: [{ componentId, status: 'major_outage' }] },
      { now: T + 6 * min },
    );
    postIncidentUpdate(site.db, incidentId, { status: 'identified', body: 'A bad deploy.', displayAt: T + 7 * min }, { now: T + 7 * min });
    resolveIncident(site.db, incidentId, { body: 'Rolled back.', displayAt: T + 8 * min }, { now: T + 8 * min });
    postIncidentUpdate(site.db, incidentId, { status: 'investigating', body: 'Note: errors began earlier.', displayAt: T - 11 * min }, { now: T + 19 * min });
    // What the log's own start says, and what the figures used to read from it.
    expect(loadIncident(site.db, incidentId)!.startedAt).toBe(T - 11 * min);

    const staff = await signedInStaff(site);
    const res = await staff.post('/admin/postmortems/edit', {
      title: 'Replay',
      slug: 'replay',
      date: '2026-01-21',
      locale: 'en',
      summary: '',
      incidents: [incidentId],
      body: '{{report}}',
      action: 'preview',
    });
    const page = await res.text();
    const value = (key: string) => new RegExp(`data-metric="${key}"[^>]*><dt>[^<]+</dt><dd><strong>([^<]+)</strong>`).exec(page)?.[1];
    expect([value('firstWord'), value('identify'), value('longestSilence'), value('resolve')]).toEqual(['6 min', '7 min', '1 min', '8 min']);
    expect(page).toMatch(/<dd data-duration>\s*8 min/);
    // The uptime table counts the same 8 minutes down within the incident.
    expect(page).toMatch(/data-sla-component="[^"]+"[^>]*>(?:(?!<\/tr>).)*<td>8 min<\/td>\s*<\/tr>/s);
    expect(page).toContain('Note written afterwards, published');
    expect(page.match(/data-afterwards/g)).toHaveLength(1);
  });

  it('previews with no slug typed, making one from the title for the form to show', async () => {
    const staff = await signedInStaff(site);
    const res = await staff.post('/admin/postmortems/edit', {
      title: 'API down for 20 minutes',
      slug: '',
      date: '2026-01-18',
      locale: 'en',
      summary: '',
      incidents: ['jun18renewal'],
      body: 'Draft.',
      action: 'preview',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('id="pm-slug" name="slug" maxlength="80" value="api-down-for-20-minutes"');
  });

  it('offers incidents that have begun to link, newest first, with their times in the site’s zone', async () => {
    const staff = await signedInStaff(site);
    const page = await (await staff.get('/admin/postmortems/edit')).text();
    const offered = [...page.matchAll(/name="incidents" value="(\w+)"/g)].map((m) => m[1]!);
    const { scheduled_maintenances: upcoming } = (await (await fetch(site.url + '/api/v2/scheduled-maintenances/upcoming.json')).json()) as {
      scheduled_maintenances: { id: string }[];
    };
    expect(upcoming.length).toBeGreaterThan(0);
    for (const m of upcoming) expect(offered).not.toContain(m.id);
    expect(offered).toContain('jun18renewal');
    // 06:00 JST on June 18, 2018, the incident's start: June 17 in UTC.
    expect(page).toMatch(/<label for="pmi-jun18renewal">[^<]*<span class="quiet">\(<time datetime="2018-06-17T21:00:00.000Z">18 Jun 2018, 06:00<\/time>\)/);
  });
});

// Several status pages from one server: each request is answered as the page
// its Host names (the default page for any other host), over the real server
// with a real database, and each page shows its own components and incidents.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPage } from '../../src/lib/pages/add-page';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { askAs } from '../support/api-and-text';
import { until } from '../support/until';

const MOBILE = 'status.mobile.example.com';
let site: TestSite;
let postmortemDir: string;
let ios: string;
let web: string;
let onIos: string;
let onWeb: string;

/** A GET (or a write) with the Host header a browser at that name sends. */
const ask = (path: string, host?: string, options?: Parameters<typeof askAs>[3]) => askAs(site, path, host, options);
const json = async (path: string, host?: string) => JSON.parse((await ask(path, host)).text);

beforeAll(async () => {
  postmortemDir = mkdtempSync(join(tmpdir(), 'shirase-page-postmortems-'));
  site = await startTestSite({ seed: true, env: { POSTMORTEMS_DIR: postmortemDir } });
  const id = (name: string) => site.db.$client.prepare('SELECT id FROM components WHERE name = ?').pluck().get(name) as string;
  ios = id('iOS app');
  web = id('Web app');
  const now = Date.now();
  addPage(site.db, { slug: 'mobile', name: 'Fusen Mobile', hosts: [MOBILE], componentIds: [ios] }, { now });
  onIos = openIncident(
    site.db,
    { name: 'iOS sign-in loops', status: 'investigating', body: 'Some iPhones loop at sign-in.', components: [{ componentId: ios, status: 'partial_outage' }] },
    { now },
  ).incidentId;
  onWeb = openIncident(
    site.db,
    {
      name: 'Boards load slowly',
      status: 'investigating',
      body: 'Boards take seconds to open.',
      components: [{ componentId: web, status: 'degraded_performance' }],
    },
    { now },
  ).incidentId;
  await site.server.checkForChanges();
});
afterAll(async () => {
  await site?.close();
  rmSync(postmortemDir, { recursive: true, force: true });
});

describe('a page named by its host', () => {
  it('shows its own components and incidents on the status page, and its own name', async () => {
    const page = await ask('/', MOBILE);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Fusen Mobile');
    expect(page.text).toContain('iOS app');
    // Nor is another page's component named, even beside an incident that is on both.
    expect(page.text).not.toContain('Web app');
    expect(page.text).toContain('iOS sign-in loops');
    expect(page.text).not.toContain('Boards load slowly');
  });

  it('answers the Statuspage API with its own components and incidents', async () => {
    const summary = await json('/api/v2/summary.json', MOBILE);
    expect(summary.page.name).toBe('Fusen Mobile');
    // The group it sits in comes along, as Statuspage lists groups among components.
    const components = (list: { id: string; group: boolean }[]) => list.filter((c) => !c.group).map((c) => c.id);
    expect(components(summary.components)).toEqual([ios]);
    expect(summary.incidents.map((i: { id: string }) => i.id)).toEqual([onIos]);
    expect(summary.status.indicator).toBe('major');
    // An incident on both pages names only this page's components, in its updates too.
    const both = summary.scheduled_maintenances.find((m: { components: { id: string }[] }) => m.components.length > 0);
    expect(both.components.map((c: { id: string }) => c.id)).toEqual([ios]);
    const all = await json('/api/v2/incidents.json', MOBILE);
    const named = all.incidents.flatMap((i: { incident_updates: { affected_components: { code: string }[] | null }[] }) =>
      i.incident_updates.flatMap((u) => (u.affected_components ?? []).map((c) => c.code)),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.every((code: string) => code === ios)).toBe(true);
    expect(all.incidents.every((i: { components: { id: string }[] }) => i.components.some((c) => c.id === ios))).toBe(true);
    expect(components((await json('/api/v2/components.json', MOBILE)).components)).toEqual([ios]);
  });

  it('does not have another page’s incidents or components', async () => {
    expect((await ask(`/incidents/${onWeb}`, MOBILE)).status).toBe(404);
    expect((await ask(`/components/${web}`, MOBILE)).status).toBe(404);
    expect((await ask(`/incidents/${onIos}`, MOBILE)).status).toBe(200);
    expect((await ask(`/components/${ios}`, MOBILE)).status).toBe(200);
    const history = await ask('/history', MOBILE);
    expect(history.text).toContain('iOS sign-in loops');
    expect(history.text).not.toContain('Boards load slowly');
  });

  it('has its own feeds and uptime figures', async () => {
    const feed = (await ask('/feed.atom', MOBILE)).text;
    expect(feed).toContain('<title>Fusen Mobile</title>');
    expect(feed).toContain('iOS sign-in loops');
    expect(feed).not.toContain('Boards load slowly');
    expect((await ask(`/feed/${web}.atom`, MOBILE)).status).toBe(404);
    expect((await ask(`/feed/${ios}.atom`, MOBILE)).status).toBe(200);
    const uptime = await json('/api/v2/uptime.json', MOBILE);
    expect(uptime.components.map((c: { id: string }) => c.id)).toEqual([ios]);
    const csv = (await ask('/uptime.csv', MOBILE)).text;
    expect(csv).toContain('iOS app');
    expect(csv).not.toContain('Web app');
  });

  it('has its own postmortems: another page’s report is neither listed nor at its address, nor in its feed', async () => {
    // Two reports, one about an incident on each page.
    const report = (slug: string, incident: string, title: string) =>
      writeFileSync(
        join(postmortemDir, `2026-12-01-${slug}.md`),
        [
          '---',
          `title: "${title}"`,
          `slug: ${slug}`,
          'date: 2026-12-01',
          'incidents:',
          `  - ${incident}`,
          `summary: ${title}.`,
          'published: 2026-12-01T03:00:00.000Z',
          '---',
          '',
          'What happened.',
          '',
        ].join('\n'),
      );
    report('boards-slow', onWeb, 'Why boards loaded slowly');
    report('ios-loops', onIos, 'Why iPhones looped at sign-in');
    await until(async () => (await ask('/postmortems/boards-slow')).status === 200);
    const list = await ask('/postmortems', MOBILE);
    expect(list.text).toContain('/postmortems/ios-loops');
    expect(list.text).not.toContain('/postmortems/boards-slow');
    expect((await ask('/postmortems/boards-slow', MOBILE)).status).toBe(404);
    expect((await ask('/postmortems/ios-loops', MOBILE)).status).toBe(200);
    const feed = (await ask('/feed.atom', MOBILE)).text;
    expect(feed).toContain('/postmortems/ios-loops');
    expect(feed).not.toContain('/postmortems/boards-slow');
    // The default page holds every component, so it has both.
    const everything = (await ask('/postmortems')).text;
    expect(everything).toContain('/postmortems/boards-slow');
    expect(everything).toContain('/postmortems/ios-loops');
  });

  it('has its own static copy beside the default page’s, with only its own incidents and components', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shirase-page-copy-'));
    try {
      await site.server.exportTo(dir);
      const mobile = join(dir, 'pages', 'mobile');
      expect(readFileSync(join(mobile, 'index.html'), 'utf8')).toContain('Fusen Mobile');
      expect(existsSync(join(mobile, 'incidents', onIos, 'index.html'))).toBe(true);
      expect(existsSync(join(mobile, 'incidents', onWeb))).toBe(false);
      expect(existsSync(join(mobile, 'components', web))).toBe(false);
      expect(existsSync(join(mobile, 'live.js'))).toBe(true);
      expect(readFileSync(join(mobile, 'api', 'v2', 'summary.json'), 'utf8')).toContain('"Fusen Mobile"');
      // The default page stays where it always was, at the top.
      expect(readFileSync(join(dir, 'index.html'), 'utf8')).not.toContain('Fusen Mobile');
      expect(existsSync(join(dir, 'incidents', onWeb, 'index.html'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is reached whatever the case of the host, with a port or a final dot', async () => {
    for (const host of ['STATUS.Mobile.example.com', `${MOBILE}:8443`, `${MOBILE}.`])
      expect((await json('/api/v2/summary.json', host)).page.name, host).toBe('Fusen Mobile');
  });
});

describe('the default page', () => {
  it('answers every other host, and an address with no Host, with everything as before', async () => {
    for (const host of [undefined, 'status.example.com', 'mobile.example.com', '127.0.0.1']) {
      const summary = await json('/api/v2/summary.json', host);
      expect(summary.page.name, String(host)).not.toBe('Fusen Mobile');
      const ids = summary.components.map((c: { id: string }) => c.id);
      expect(ids).toContain(ios);
      expect(ids).toContain(web);
      expect(summary.incidents.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining([onIos, onWeb]));
    }
    expect((await ask(`/incidents/${onWeb}`)).status).toBe(200);
  });
});

describe('an incident that names no component', () => {
  it('is on the page it names, or on the default page when it names none, and an unknown page is refused', async () => {
    const { token } = createApiToken(site.db, { name: 'unnamed', scopes: ['incidents'] }, { now: Date.now() });
    const open = (body: Record<string, unknown>) =>
      ask('/api/v1/incidents', undefined, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'investigating', ...body }),
      });
    const named = await open({ name: 'App store listing missing', body: 'The app cannot be found in one store.', page: 'Mobile' });
    expect(named.status).toBe(201);
    const unnamed = await open({ name: 'Invoices delayed', body: 'Invoices go out late today.' });
    expect(unnamed.status).toBe(201);
    const refused = await open({ name: 'Nowhere', body: 'No such page.', page: 'no-such-page' });
    expect(refused.status).toBe(422);
    expect(JSON.parse(refused.text).error.fields).toEqual([{ field: 'page', message: expect.stringContaining('There is no status page called that') }]);

    const mobile = (await json('/api/v2/incidents/unresolved.json', MOBILE)).incidents.map((i: { name: string }) => i.name);
    const everyone = (await json('/api/v2/incidents/unresolved.json')).incidents.map((i: { name: string }) => i.name);
    expect(mobile).toContain('App store listing missing');
    expect(mobile).not.toContain('Invoices delayed');
    expect(everyone).toContain('Invoices delayed');
    expect(everyone).not.toContain('App store listing missing');
    expect((await ask(`/incidents/${JSON.parse(named.text).id}`)).status).toBe(404);
  });
});

describe('the staff forms', () => {
  it('offer the page for an incident or window that names no component, and keep what was typed when the page is unknown', async () => {
    const staff = await signedInStaff(site, 'editor');
    const form = await (await fetch(site.url + '/admin/incidents/new', { headers: { cookie: staff.cookie } })).text();
    expect(form).toContain('<option value="mobile">Fusen Mobile</option>');
    const opened = await staff.post('/admin/incidents/new', {
      name: 'Push notifications late',
      status: 'investigating',
      body: 'Pushes arrive minutes late.',
      page: 'mobile',
      impact: 'auto',
    });
    expect(opened.status).toBe(303);
    expect((await json('/api/v2/incidents/unresolved.json', MOBILE)).incidents.map((i: { name: string }) => i.name)).toContain('Push notifications late');
    const refused = await staff.post('/admin/incidents/new', {
      name: 'Kept as typed',
      status: 'investigating',
      body: 'Body kept.',
      page: 'gone-page',
      impact: 'auto',
    });
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(html).toContain('value="Kept as typed"');
    expect(html).toContain('There is no status page called that');
  });
});

describe('a write made on a page', () => {
  it('is read back on that page and on the default page alike', async () => {
    const { token } = createApiToken(site.db, { name: 'pages', scopes: ['incidents'] }, { now: Date.now() });
    const written = await ask(`/api/v1/incidents/${onIos}/updates`, MOBILE, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'identified', body: 'A certificate on the sign-in service expired.', notify: false }),
    });
    expect(written.status).toBe(201);
    expect((await ask('/', MOBILE)).text).toContain('A certificate on the sign-in service expired.');
    expect((await ask('/')).text).toContain('A certificate on the sign-in service expired.');
  });
});

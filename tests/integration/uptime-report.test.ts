import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { parse } from 'csv-parse/sync';
import { auditLog, components, statusCorrections } from '../../db/schema';
import { formatDuration, formatPercent } from '../../src/lib/i18n/format';
import { toLocalInput } from '../../src/lib/admin/form-input';
import { addLocalDays, localDateKey } from '../../src/lib/time';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';

const ZONE = 'Asia/Tokyo';
const MIN = 60_000;
const HOUR = 60 * MIN;
const JUNE_2018 = 'from=2018-06-01&to=2018-06-30';

let site: TestSite;
let ids: Record<string, string>;

const get = (path: string, headers: Record<string, string> = {}) => fetch(site.url + path, { headers, redirect: 'manual' });
const csvRows = async (query: string) => {
  const res = await get(`/uptime.csv${query}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
  return parse((await res.text()).replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
};
const rowFor = (rows: Record<string, string>[], name: string, month: string) => rows.find((r) => r.component === name && r.month === month)!;
/** A month's figure box on the page, for one component. */
const monthBox = (page: string, componentId: string, month: string) => {
  const section = page.slice(page.indexOf(`data-component-id="${componentId}"`));
  const start = section.indexOf(`data-month="${month}"`);
  return section.slice(start, section.indexOf('</figure>', start));
};

beforeAll(async () => {
  site = await startTestSite({ seed: true });
  ids = Object.fromEntries(
    site.db
      .select({ id: components.id, name: components.name })
      .from(components)
      .all()
      .map((c) => [c.name, c.id]),
  );
});
afterAll(() => site.close());

describe('the June 18 demo month, checked by hand', () => {
  it('counts 17 h 10 min of major outage against 42,720 measured minutes for the four services', async () => {
    // June 2018 in Tokyo has 43,200 minutes. The maintenance window (22:00 on the 17th to 06:00 on the 18th,
    // 480 minutes) is left out. Major outage 08:00–17:00 (540 min) and 17:30–01:40 the next day (490 min):
    // 1,030 minutes down. 1 − 1030/42720 = 97.5890 %. 99.9 % allows 42.72 minutes, so June is 987.28 over.
    const rows = await csvRows(`?${JUNE_2018}`);
    for (const name of ['Web app', 'iOS app', 'Android app', 'API']) {
      expect(rowFor(rows, name, '2018-06')).toEqual({
        component: name,
        component_id: ids[name],
        month: '2018-06',
        measured_minutes: '42720.00',
        downtime_minutes: '1030.00',
        maintenance_minutes: '480.00',
        uptime_percent: '97.5890',
        target_percent: '99.9',
        breached: 'yes',
        over_target_minutes: '987.28',
        corrected: 'no',
      });
    }
    // Sign-in was not part of the outage: the whole month measured, nothing down, target met.
    expect(rowFor(rows, 'Sign-in', '2018-06')).toMatchObject({
      measured_minutes: '43200.00',
      downtime_minutes: '0.00',
      uptime_percent: '100.0000',
      breached: 'no',
    });
  });

  it('shows the same figures on the page, in the JSON and in the postmortem', async () => {
    const web = ids['Web app']!;
    const page = await (await get(`/uptime?${JUNE_2018}`)).text();
    const box = monthBox(page, web, '2018-06');
    expect(box).toContain(formatPercent(1 - 1030 / 42720, 'en'));
    expect(box).toContain(`Below target by ${formatDuration(987.28 * MIN, 'en')}`);
    expect(box).toContain(formatDuration(1030 * MIN, 'en'));
    // The 18th: 08:00–17:00 and 17:30–24:00 down of the 18 hours measured after maintenance ended at 06:00.
    expect(box).toContain(
      `data-day="2018-06-18">18<span class="visually-hidden">: ${formatPercent(1 - (15.5 * 60) / (18 * 60), 'en')} uptime, ${formatDuration(15.5 * HOUR, 'en')} down`,
    );

    const json = await (await get(`/api/v2/uptime.json?${JUNE_2018}`)).json();
    expect(json.range).toMatchObject({ from: '2018-06-01', to: '2018-06-30', start: '2018-05-31T15:00:00.000Z' });
    const c = json.components.find((x: { id: string }) => x.id === web);
    expect(c.months).toEqual([
      {
        month: '2018-06',
        uptime: 1 - 1030 / 42720,
        measured_seconds: 42720 * 60,
        down_seconds: 1030 * 60,
        maintenance_seconds: 480 * 60,
        target: 99.9,
        breached: true,
        over_target_seconds: Math.round(987.28 * 60),
        corrected: false,
      },
    ]);
    expect(c.days).toHaveLength(30);
    expect(c.days.find((d: { date: string }) => d.date === '2018-06-19')).toMatchObject({ down_seconds: 100 * 60 });

    const postmortem = await (await get('/postmortems/renewal-outage')).text();
    const row = postmortem.slice(postmortem.indexOf(`data-sla-component="${web}" data-sla-month="2018-06"`));
    const cells = row.slice(0, row.indexOf('</tr>'));
    expect(cells).toContain(formatPercent(1 - 1030 / 42720, 'en'));
    expect(cells).toContain('99.9%');
    // All of June's downtime fell within the incident.
    expect(cells.match(new RegExp(formatDuration(1030 * MIN, 'en'), 'g'))).toHaveLength(2);
    expect(postmortem).not.toContain('data-sla-component="' + ids['Sign-in']);
    const ja = await (await get('/ja/postmortems/renewal-outage-ja')).text();
    expect(ja).toContain('目標に対する稼働率');
    expect(ja).toContain(formatDuration(1030 * MIN, 'ja'));
  });
});

describe('the page, the CSV and the JSON', () => {
  it('agree on every component and month of a range, the first and last months cut to it', async () => {
    const query = 'from=2018-05-20&to=2018-07-10';
    const rows = await csvRows(`?${query}`);
    const json = await (await get(`/api/v2/uptime.json?${query}`)).json();
    const page = await (await get(`/uptime?${query}`)).text();
    expect(rows).toHaveLength(3 * Object.keys(ids).length);
    for (const c of json.components as {
      id: string;
      name: string;
      months: { month: string; uptime: number | null; measured_seconds: number; down_seconds: number; maintenance_seconds: number; breached: boolean | null }[];
    }[]) {
      for (const m of c.months) {
        const row = rowFor(rows, c.name, m.month);
        expect(row.component_id).toBe(c.id);
        expect(row.uptime_percent).toBe(m.uptime === null ? '' : (m.uptime * 100).toFixed(4));
        expect(Number(row.measured_minutes)).toBeCloseTo(m.measured_seconds / 60, 1);
        expect(Number(row.downtime_minutes)).toBeCloseTo(m.down_seconds / 60, 1);
        expect(Number(row.maintenance_minutes)).toBeCloseTo(m.maintenance_seconds / 60, 1);
        expect(row.breached).toBe(m.breached === null ? '' : m.breached ? 'yes' : 'no');
        const box = monthBox(page, c.id, m.month);
        expect(box, `${c.name} ${m.month}`).toContain(m.uptime === null ? 'No data' : formatPercent(m.uptime, 'en'));
        expect(box.includes('Below target by'), `${c.name} ${m.month}`).toBe(m.breached === true);
      }
      // May from the 20th: twelve days of 24 hours.
      expect(c.months[0]!.measured_seconds + c.months[0]!.maintenance_seconds).toBe(12 * 86_400);
    }
  });
});

describe('the report page', () => {
  it('shows the last twelve months by default in both languages, with the formula and the zone', async () => {
    const en = await get('/uptime');
    expect(en.status).toBe(200);
    const page = await en.text();
    expect(page).toContain('Uptime report');
    expect(page).toContain('maintenance is left out of the measured time');
    expect(page).toContain(ZONE);
    expect(page.match(/class="uptime-month[ "]/g)!.length).toBe(12 * Object.keys(ids).length);
    const ja = await (await get('/ja/uptime')).text();
    expect(ja).toContain('稼働率レポート');
    expect(ja).toContain('メンテナンス');
    expect(ja).not.toContain('Uptime report');
  });

  it('answers a range it cannot show with 400, keeping what was typed and saying what to fix', async () => {
    const res = await get('/uptime?from=2018-06-31&to=2018-06-30');
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('value="2018-06-31"');
    expect(page).toContain('Write the date as YYYY-MM-DD');
    for (const path of [
      '/uptime.csv?from=2018-07-01&to=2018-06-01',
      '/api/v2/uptime.json?from=2000-01-01&to=2026-01-01',
      `/api/v2/uptime.json?${JUNE_2018}&component=nothing`,
    ]) {
      const api = await get(path);
      expect(api.status, path).toBe(400);
      const body = await api.json();
      expect(body.error.code).toBe('BAD_REQUEST');
      expect(body.error.fields).toHaveLength(1);
    }
  });

  it('answers garbage, reversed and absurd ranges with a short 400 in the reader’s language, and a small one as CSV and JSON', async () => {
    const queries = [
      'from=garbage',
      'from=2018-07-01&to=2018-06-01',
      'from=9999-01-01',
      'from=0001-01-01&to=0002-01-01',
      'from=2018-01-01&to=275760-09-13',
      `from=${'9'.repeat(4000)}`,
      'from=1999-12-31&to=2018-01-01',
      `component=${'x'.repeat(2000)}`,
    ];
    for (const query of queries) {
      const label = query.slice(0, 40);
      // The form and what to fix, not a year of figures (about 400 KB) beside them; the language links repeat the address asked for.
      const short = 6_000 + 2 * query.length;
      const en = await get(`/uptime?${query}`);
      const page = await en.text();
      expect(en.status, label).toBe(400);
      expect(page, label).toContain('class="error-summary"');
      expect(page.includes('uptime-summary'), label).toBe(false);
      expect(page.length, label).toBeLessThan(short);
      const ja = await get(`/ja/uptime?${query}`);
      expect(ja.status, label).toBe(400);
      expect(ja.headers.get('content-language')).toBe('ja');
      expect((await ja.text()).length, label).toBeLessThan(short);
      for (const path of [`/uptime.csv?${query}`, `/api/v2/uptime.json?${query}`]) {
        const res = await get(path);
        const body = await res.text();
        expect(res.status, path.slice(0, 50)).toBe(400);
        expect(body.length, path.slice(0, 50)).toBeLessThan(1_000);
        expect(JSON.parse(body).error.code).toBe('BAD_REQUEST');
      }
    }
  });

  it('keeps the CSV and the JSON unprefixed, readable from any origin, and a range past today ending today', async () => {
    for (const path of [`/ja/uptime.csv?${JUNE_2018}`, `/ja/api/v2/uptime.json?${JUNE_2018}`]) expect((await get(path)).status, path).toBe(404);
    expect((await get(`/ja/uptime?${JUNE_2018}`)).status).toBe(200);
    const csv = await get(`/uptime.csv?${JUNE_2018}`);
    expect(csv.headers.get('access-control-allow-origin')).toBe('*');
    await csv.body?.cancel();
    const one = await (await get(`/api/v2/uptime.json?${JUNE_2018}&component=${ids.API}`)).json();
    expect(one.components).toHaveLength(1);
    // The page's own figures would be the one component's: they are left out.
    expect(one.page.uptime).toBeUndefined();
    const today = localDateKey(Date.now(), ZONE);
    const ahead = await (await get(`/api/v2/uptime.json?from=${today}&to=2099-12-31&component=${ids.API}`)).json();
    expect(ahead.range.to).toBe(today);
  });

  it('shows a range over 400 days by year, and the CSV has every month of it', async () => {
    const page = await (await get('/uptime?from=2017-01-01&to=2019-12-31')).text();
    expect(page).not.toContain('class="uptime-calendar"');
    expect(page).toMatch(/data-year="2018"[\s\S]*?1 of 12/);
    const rows = await csvRows('?from=2017-01-01&to=2019-12-31&component=' + ids.API);
    expect(rows.map((r) => r.month)).toHaveLength(36);
    const json = await (await get('/api/v2/uptime.json?from=2017-01-01&to=2019-12-31')).json();
    expect(json.components[0].days).toBeUndefined();
    expect(json.components[0].months).toHaveLength(36);
  });
});

describe('targets and corrections from Admin → Uptime', () => {
  it('lets admins set targets, refusing one that is not a percentage without losing what was typed', async () => {
    const admin = await signedInStaff(site, 'admin');
    const bad = await admin.post('/admin/uptime', { intent: 'set_targets', page: '99.9', [`sla-${ids.API}`]: 'ninety-nine' });
    expect(bad.status).toBe(422);
    const page = await bad.text();
    expect(page).toContain('value="ninety-nine"');
    expect(page).toContain('Write the target as a percentage');
    const ok = await admin.post('/admin/uptime', { intent: 'set_targets', page: '99.5', [`sla-${ids.API}`]: '99.99' });
    expect(ok.status).toBe(303);
    const rows = await csvRows(`?${JUNE_2018}`);
    expect(rowFor(rows, 'API', '2018-06').target_percent).toBe('99.99');
    // Every other component had 99.9 % of its own from the demo.
    expect(rowFor(rows, 'Web app', '2018-06').target_percent).toBe('99.9');
    const editor = await signedInStaff(site, 'editor');
    expect((await editor.post('/admin/uptime', { intent: 'set_targets', page: '50' })).status).toBe(403);
    expect(site.db.select().from(auditLog).where(eq(auditLog.action, 'uptime.set_targets')).all().length).toBeGreaterThanOrEqual(2);
  });

  it('records an editor’s correction with its reason: the report marks it, the strip and the API follow, and withdrawing it puts things back', async () => {
    const editor = await signedInStaff(site, 'editor');
    const signIn = ids['Sign-in']!;
    // Yesterday 10:00–11:00 in the page's zone: inside the 90-day strip.
    const yesterday = addLocalDays(Date.now(), -1, ZONE);
    const from = yesterday + 10 * HOUR;
    const day = localDateKey(from, ZONE);
    const strip = async () =>
      (await (await get('/api/v2/uptime.json')).json()).components
        .find((c: { id: string }) => c.id === signIn)
        .days.find((d: { date: string }) => d.date === day);
    const before = await strip();

    const missing = await editor.post('/admin/uptime', {
      intent: 'correct',
      componentId: signIn,
      from: toLocalInput(from, ZONE),
      to: toLocalInput(from + HOUR, ZONE),
      status: 'major_outage',
      reason: '',
    });
    expect(missing.status).toBe(422);
    const form = await missing.text();
    expect(form).toContain(`value="${toLocalInput(from, ZONE)}"`);
    expect(form).toContain('Say why the record is being corrected');

    const saved = await editor.post('/admin/uptime', {
      intent: 'correct',
      componentId: signIn,
      from: toLocalInput(from, ZONE),
      to: toLocalInput(from + HOUR, ZONE),
      status: 'major_outage',
      reason: 'Sign-ins failed for an hour before the alert fired.',
    });
    expect(saved.status).toBe(303);
    const after = await strip();
    expect(after.down_seconds - before.down_seconds).toBe(3600);
    const month = day.slice(0, 7);
    const rows = await csvRows(`?from=${month}-01&to=${day}&component=${signIn}`);
    expect(rows.find((r) => r.month === month)).toMatchObject({ corrected: 'yes' });
    const page = await (await get(`/uptime?from=${month}-01&to=${day}&component=${signIn}`)).text();
    expect(page).toMatch(new RegExp(`class="shade-[a-z]+ corrected" data-day="${day}"`));
    const audit = site.db.select().from(auditLog).where(eq(auditLog.action, 'uptime.correct')).all();
    expect(audit.at(-1)!.after).toContain('Sign-ins failed for an hour');
    expect(audit.at(-1)!.actorLabel).toBe(editor.email);

    const correction = site.db.select().from(statusCorrections).where(eq(statusCorrections.componentId, signIn)).get()!;
    const admin = await editor.get('/admin/uptime');
    expect(await admin.text()).toContain('Sign-ins failed for an hour before the alert fired.');
    expect((await editor.post('/admin/uptime', { intent: 'withdraw', id: correction.id, confirmed: 'yes' })).status).toBe(303);
    expect((await strip()).down_seconds).toBe(before.down_seconds);
    expect(site.db.select().from(auditLog).where(eq(auditLog.action, 'uptime.withdraw_correction')).all()).toHaveLength(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { components } from '../../db/schema';
import { createComponent } from '../../src/lib/components/create-component';
import { removeComponent } from '../../src/lib/components/remove-component';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { postIncidentUpdate } from '../../src/lib/incidents/post-update';
import { formatDuration, formatMonth, formatPercent } from '../../src/lib/i18n/format';
import { localDateOf, zonedTimeToUtc } from '../../src/lib/time';
import { startTestSite, type TestSite } from '../support/test-server';

const ZONE = 'Asia/Tokyo';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let site: TestSite;
/** A component made for these tests: created 400 days ago, one hour of major outage two months back, 30 incidents named "Ferret". */
let ferrets: string;
/** The month of that outage and its bounds in the page's zone. */
let outageMonth: { year: number; month: number; start: number; end: number };
let apiId: string;
let webId: string;

const get = (path: string, headers: Record<string, string> = {}) => fetch(site.url + path, { headers, redirect: 'manual' });
const html = async (path: string) => {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  return res.text();
};
/** The page's links, as a browser reads them (Astro writes `&` in attributes as `&#38;`). */
const hrefsIn = (page: string) => [...page.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replace(/&#38;|&amp;/g, '&'));
const incidentIdsIn = (page: string) => [...page.matchAll(/data-incident-id="([a-z0-9]{12})"/g)].map((m) => m[1]!);

beforeAll(async () => {
  site = await startTestSite({ seed: true });
  const now = Date.now();
  const ctx = { now };
  const idOf = (name: string) => site.db.select({ id: components.id }).from(components).where(eq(components.name, name)).get()!.id;
  apiId = idOf('API');
  webId = idOf('Web app');
  ferrets = createComponent(
    site.db,
    { name: 'Ferret feeder', description: 'Feeds the ferrets', createdAt: now - 400 * DAY, translations: { ja: { name: 'フェレット給餌' } } },
    ctx,
  ).componentId;

  // One hour of major outage at noon on the 15th of the month before last, local time.
  const today = localDateOf(now, ZONE);
  const first = new Date(Date.UTC(today.year, today.month - 3, 1));
  const [year, month] = [first.getUTCFullYear(), first.getUTCMonth() + 1];
  const next = new Date(Date.UTC(year, month, 1));
  outageMonth = {
    year,
    month,
    start: zonedTimeToUtc(year, month, 1, 0, 0, ZONE),
    end: zonedTimeToUtc(next.getUTCFullYear(), next.getUTCMonth() + 1, 1, 0, 0, ZONE),
  };
  const outageAt = zonedTimeToUtc(year, month, 15, 12, 0, ZONE);
  const outage = openIncident(
    site.db,
    {
      name: 'Ferret feeder jammed',
      status: 'investigating',
      body: 'The hopper is stuck.',
      displayAt: outageAt,
      backfilled: true,
      components: [{ componentId: ferrets, status: 'major_outage' }],
    },
    ctx,
  );
  postIncidentUpdate(
    site.db,
    outage.incidentId,
    { status: 'resolved', body: 'Unjammed with a wooden spoon.', displayAt: outageAt + HOUR, components: [{ componentId: ferrets, status: 'operational' }] },
    ctx,
  );

  // Thirty more, one a day back from yesterday, for the pagination of a filter and of a search.
  for (let i = 1; i <= 30; i++) {
    openIncident(
      site.db,
      {
        name: `Ferret report ${i}`,
        status: 'resolved',
        body: i === 7 ? 'Water bowl refilled, the quokka checked.' : 'Routine check.',
        displayAt: now - i * DAY,
        backfilled: true,
        components: [{ componentId: ferrets, status: 'operational' }],
        translations: { ja: { name: `フェレット報告 ${i}`, body: '定期点検です。' } },
      },
      ctx,
    );
  }
  await site.server.checkForChanges();
});
afterAll(() => site?.close());

describe('a component page', () => {
  it('is linked from the status page for every component, grouped ones included', async () => {
    const page = await html('/');
    for (const id of [apiId, webId, ferrets]) expect(page).toContain(`href="/components/${id}"`);
    expect(await html('/ja/')).toContain(`href="/ja/components/${ferrets}"`);
  });

  it('shows the current status, the 90-day strip, links to its feed and to subscribe', async () => {
    const page = await html(`/components/${apiId}`);
    expect(page).toMatch(/<h1>API<\/h1>/);
    expect(page).toContain('Part of Platform');
    expect(page).toMatch(/Current status: <span class="status status-operational"/);
    expect(page.match(/class="cell cell-/g)).toHaveLength(90);
    expect(page).toContain(`href="/feed/${apiId}.rss"`);
    expect(page).toContain(`href="/subscribe?component=${apiId}"`);
    const feed = await get(`/feed/${apiId}.rss`);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain('API unavailable');
  });

  it('lists the incidents and maintenance that named it, newest first, linked, with the rest in the filtered history', async () => {
    const page = await html(`/components/${apiId}`);
    const names = [...page.matchAll(/<a href="\/incidents\/[a-z0-9]{12}">([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(names).toContain('API unavailable');
    expect(names).toContain('Slow board loading in the web app');
    expect(names.indexOf('Slow board loading in the web app')).toBeLessThan(names.indexOf('API unavailable'));
    expect(names).not.toContain('File uploads failing');
    const ferretPage = await html(`/components/${ferrets}`);
    expect(incidentIdsIn(ferretPage)).toHaveLength(10);
    expect(ferretPage).toContain(`href="/history?component=${ferrets}">All 31 in the incident history`);
  });

  it('shows uptime for each of the last 12 months, measured as the strip measures', async () => {
    const page = await html(`/components/${ferrets}`);
    const rows = [
      ...page.matchAll(
        /<tr data-month="(\d{4}-\d{2})">\s*<th scope="row">([^<]+)<\/th>\s*<td class="monthly-percent">\s*([^<]+?)\s*<\/td>\s*<td>([^<]+)<\/td>/g,
      ),
    ];
    expect(rows).toHaveLength(12);
    const key = `${outageMonth.year}-${String(outageMonth.month).padStart(2, '0')}`;
    const outage = rows.find((r) => r[1] === key)!;
    expect(outage[2]).toBe(formatMonth(outageMonth.year, outageMonth.month, 'en'));
    // Major outage counts fully as down; the whole month was measured.
    expect(outage[3]).toBe(formatPercent(1 - HOUR / (outageMonth.end - outageMonth.start), 'en'));
    expect(outage[4]).toBe(formatDuration(HOUR, 'en'));
    for (const r of rows.filter((r) => r[1] !== key)) expect(r[3], r[1]).toBe('100.00%');
    // Newest month first.
    expect(rows[0]![1]! > rows[11]![1]!).toBe(true);
  });

  it('is in Japanese under /ja/', async () => {
    const page = await html(`/ja/components/${ferrets}`);
    expect(page).toContain('<h1>フェレット給餌</h1>');
    expect(page).toContain('月ごとの稼働率');
    expect(page).toContain(formatMonth(outageMonth.year, outageMonth.month, 'ja'));
    expect(page).toContain(`href="/ja/subscribe?component=${ferrets}"`);
  });

  it('answers unknown and malformed ids with the 404 page', async () => {
    for (const path of ['/components/zzzzzzzzzzzz', '/components/not-an-id', '/ja/components/zzzzzzzzzzzz']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).toMatch(/Page not found|ページが見つかりません/);
    }
  });

  it('preselects the component on the subscribe form it links to', async () => {
    const page = await html(`/subscribe?component=${ferrets}`);
    expect(page).toMatch(new RegExp(`value="${ferrets}" checked`));
    expect(page).toMatch(/id="scope-some" type="radio" name="scope" value="some" checked/);
    expect(await html('/subscribe')).not.toMatch(/name="componentIds" value="[a-z0-9]{12}" checked/);
    expect(await html('/subscribe?component=zzzzzzzzzzzz')).not.toMatch(/name="componentIds" value="[a-z0-9]{12}" checked/);
  });
});

describe('the history, filtered and searched', () => {
  it('filters by component, from the cache, keeping the filter in its pagination links', async () => {
    const first = await html(`/history?component=${ferrets}`);
    expect(first).toContain('<h1>Incident history: Ferret feeder</h1>');
    expect(first).toContain('31 incidents and maintenance windows match.');
    expect(first).toMatch(new RegExp(`<option value="${ferrets}" selected>Ferret feeder</option>`));
    expect(incidentIdsIn(first)).toHaveLength(25);
    expect(first).not.toContain('API unavailable');
    expect(hrefsIn(first)).toContain(`/history?component=${ferrets}&page=2`);
    expect(site.server.cache.peek(`/history?component=${ferrets}`)).toBeDefined();

    const second = await html(`/history?component=${ferrets}&page=2`);
    expect(incidentIdsIn(second)).toHaveLength(6);
    expect(second).toContain('Ferret feeder jammed');
    expect(second).toContain(`href="/history?component=${ferrets}" rel="prev"`);
    expect(hrefsIn(await html(`/ja/history?component=${ferrets}`))).toContain(`/ja/history?component=${ferrets}&page=2`);
    expect((await get(`/history?component=${ferrets}&page=3`)).status).toBe(404);
  });

  it('answers a filter naming no live component with the 404 page', async () => {
    for (const id of ['zzzzzzzzzzzz', 'nonsense!']) expect((await get(`/history?component=${encodeURIComponent(id)}`)).status, id).toBe(404);
    const gone = createComponent(site.db, { name: 'Gerbil wheel' }, { now: Date.now() }).componentId;
    openIncident(
      site.db,
      { name: 'Gerbil wheel squeaks', status: 'investigating', body: 'Oil needed.', components: [{ componentId: gone, status: 'degraded_performance' }] },
      { now: Date.now() },
    );
    await site.server.checkForChanges();
    expect((await get(`/components/${gone}`)).status).toBe(200);
    expect(removeComponent(site.db, gone, { now: Date.now() }).archived).toBe(true);
    await site.server.checkForChanges();
    expect((await get(`/components/${gone}`)).status).toBe(404);
    expect((await get(`/history?component=${gone}`)).status).toBe(404);
    // Its incident stays in the history and in search.
    expect(await html('/history?q=gerbil')).toContain('Gerbil wheel squeaks');
  });

  it('searches incident names and update texts in both languages, ignoring case', async () => {
    expect(incidentIdsIn(await html('/history?q=FERRET+FEEDER+JAMMED'))).toHaveLength(1);
    // An update's text, not the name.
    const spoon = await html('/history?q=wooden%20spoon');
    expect(spoon).toContain('Ferret feeder jammed');
    expect(spoon).toContain('One incident or maintenance window matches.');
    expect(await html('/history?q=quokka')).toContain('Ferret report 7');
    // Japanese names and update texts, read in either language.
    const ja = await html('/ja/history?q=' + encodeURIComponent('リニューアル後'));
    expect(ja).toContain('リニューアル後にサービスが利用できなくなった障害');
    expect(incidentIdsIn(await html('/history?q=' + encodeURIComponent('定期点検')))).toHaveLength(25);
    // Two characters are below the index's reach and are still found.
    expect(incidentIdsIn(await html('/history?q=' + encodeURIComponent('報告') + `&component=${ferrets}`))).toHaveLength(25);
  });

  it('treats the search as text: wildcards, quotes and operators match only themselves', async () => {
    for (const q of ['%', '_', '%%', '"', 'ferret OR quokka', 'NEAR(a b)', '*']) {
      const page = await html(`/history?q=${encodeURIComponent(q)}`);
      expect(incidentIdsIn(page), q).toHaveLength(0);
      expect(page).toContain('No incidents or maintenance match this filter.');
    }
  });

  it('keeps the search and the filter in pagination links, and renders searches without keeping them', async () => {
    const before = site.server.cache.size;
    const res = await get(`/history?component=${ferrets}&q=ferret+report`);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const first = await res.text();
    expect(first).toContain('30 incidents and maintenance windows match.');
    expect(first).toContain('value="ferret report"');
    expect(hrefsIn(first)).toContain(`/history?component=${ferrets}&q=ferret+report&page=2`);
    const second = await html(`/history?component=${ferrets}&q=ferret+report&page=2`);
    expect(incidentIdsIn(second)).toHaveLength(5);
    expect(hrefsIn(second)).toContain(`/history?component=${ferrets}&q=ferret+report`);
    expect(hrefsIn(await html('/ja/history?q=ferret+report'))).toContain('/ja/history?q=ferret+report&page=2');
    // The language switch keeps the search.
    expect(hrefsIn(await html('/ja/history?q=ferret+report'))).toContain('/en/history?q=ferret+report');
    expect(hrefsIn(await html(`/history?component=${ferrets}`))).toContain(`/ja/history?component=${ferrets}`);
    expect(site.server.cache.size).toBe(before);
  });

  it('echoes a hostile search only inside the search box, its quotes escaped', async () => {
    const q = '"><script>alert(1)</script><b x="';
    const page = await html(`/history?q=${encodeURIComponent(q)}`);
    // Within a quoted attribute only the quote could end it: it is escaped, so the rest is the value's text.
    expect(page).toContain('name="q" value="&#34;><script>alert(1)</script><b x=&#34;"');
    expect(page.split('<script>alert(1)')).toHaveLength(2);
  });

  it('says plainly when nothing matches', async () => {
    const page = await html(`/history?component=${webId}&q=ferret`);
    expect(page).toContain('No incidents or maintenance match this filter.');
    expect(await html(`/ja/history?q=zzzzqqq`)).toContain('この条件に一致する障害やメンテナンスはありません。');
  });

  it('treats an empty select and search box as no filter', async () => {
    const page = await html('/history?component=&q=+');
    expect(page).toContain('<h1>Incident history</h1>');
    expect(page).not.toContain('match this filter');
    expect(incidentIdsIn(page)).toHaveLength(25);
  });
});

describe('the public cache under a flood of query strings', () => {
  it('keeps no page for them, so the status page stays in memory', async () => {
    // The pages the flood's answers come from are read first.
    for (const path of ['/', '/history', '/nope']) await (await get(path)).arrayBuffer();
    const size = site.server.cache.size;
    const paths: string[] = [];
    for (let i = 0; i < 150; i++) {
      paths.push(
        `/?utm_source=${i}`,
        `/history?x${i}=1`,
        `/history?component=${i.toString(36).padStart(12, 'q')}`,
        `/components/${i.toString(36).padStart(12, 'z')}`,
        `/history?page=1&sort=${i}`,
      );
      if (i % 5 === 0) paths.push(`/history?q=flood+${i}`);
    }
    for (let i = 0; i < paths.length; i += 10) await Promise.all(paths.slice(i, i + 10).map(async (p) => (await get(p)).arrayBuffer()));
    expect(site.server.cache.size).toBe(size);
    expect(site.server.cache.peek('/')).toBeDefined();
  });
});

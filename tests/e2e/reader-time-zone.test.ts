import type { Browser, Page } from '@playwright/test';
import type { ServerProcess } from '../support/server-process';
import { openDatabase } from '../../db/open';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { resolveIncident } from '../../src/lib/incidents/resolve-incident';
import { scheduleMaintenance } from '../../src/lib/incidents/schedule-maintenance';
import { addLocalDays, localDateKey } from '../../src/lib/time';
import { AUDIT, expect, sweep, test } from './fixtures';

const SITE_ZONE = 'Asia/Tokyo';
const READER_ZONE = 'Europe/London';

let server: ServerProcess;
let browser: Browser;

test.beforeAll(async ({ browser: shared, server: shared2 }) => {
  browser = shared;
  server = shared2;
});

/** A resolved incident that started `minutes` after a Tokyo midnight `daysAgo` days back: the day before, in London. */
function resolvedJustAfterTokyoMidnight(name: string, daysAgo: number, minutes = 20): number {
  const startedAt = addLocalDays(Date.now(), -daysAgo, SITE_ZONE) + minutes * 60_000;
  const db = openDatabase(server.databasePath);
  try {
    const { incidentId } = openIncident(db, { name, status: 'investigating', body: 'Checking.', displayAt: startedAt, startedAt }, { now: Date.now() });
    resolveIncident(db, incidentId, { body: 'Fixed.', displayAt: startedAt + 30 * 60_000 }, { now: Date.now() });
  } finally {
    db.$client.close();
  }
  return startedAt;
}

const longDate = (key: string, lang: string) =>
  new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'long', timeZone: 'UTC' }).format(new Date(`${key}T12:00:00Z`));

/** The day (its key and heading) a status page card sits under. */
async function dayOf(page: Page, name: string): Promise<{ key: string | null; heading: string | null }> {
  const day = page.locator('[data-day]', { has: page.getByRole('link', { name, exact: true }) });
  return { key: await day.getAttribute('data-day'), heading: await day.locator('[data-day-heading]').textContent() };
}

test.describe('a reader in another time zone', () => {
  test('without script, reads the site’s days and times, with the site’s zone named', async () => {
    const context = await browser.newContext({ timezoneId: READER_ZONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/en/incidents/jun18renewal`);
    expect(await page.locator('.timeline-day h3').allTextContents()).toEqual(['Tuesday, 19 June 2018', 'Monday, 18 June 2018']);
    expect(await page.locator('[data-time-zone]').textContent()).toMatch(/^Times are shown in Asia\/Tokyo \(.+\)\.$/);
    expect(await page.getByRole('button', { name: 'Show times in my time zone' }).isHidden()).toBe(true);
    await context.close();
  });

  test('moves the June 18 timeline under London’s days, converts the phase chart and names the zone; and back', async () => {
    const context = await browser.newContext({ timezoneId: READER_ZONE });
    const page = await context.newPage();
    await page.goto(`${server.url}/en/incidents/jun18renewal`);
    // The first update, at 07:00 in Tokyo on June 18.
    const first = page.locator(`.timeline [data-day-at="${Date.UTC(2018, 5, 17, 22)}"]`);
    const tick = page.locator('svg.phases [data-tick-at]').first();
    const tooltip = page.locator('svg.phases title').first();
    expect((await first.locator('time').textContent())?.trim()).toBe('07:00');
    // The chart starts when impact began, 06:00 in Tokyo.
    expect(await tick.textContent()).toBe('06:00');
    expect(await tooltip.textContent()).toContain('18 Jun 2018, 06:00');

    await page.getByRole('button', { name: 'Show times in my time zone' }).click();
    // 07:00 in Tokyo is 23:00 the evening before in London (BST).
    expect((await first.locator('time').textContent())?.trim()).toBe('23:00');
    const firstDay = page.locator('.timeline-day', { has: first });
    expect(await firstDay.locator('h3').textContent()).toBe('Sunday, 17 June 2018');
    // Newest day first, as the page lists them.
    expect(await page.locator('.timeline-day h3').allTextContents()).toEqual(['Monday, 18 June 2018', 'Sunday, 17 June 2018']);
    expect(await page.locator('.timeline .update').count()).toBe(15);
    expect(await tick.textContent()).toBe('22:00');
    expect(await tooltip.textContent()).toContain('17 Jun 2018, 22:00');
    expect(await page.locator('[data-time-zone]').textContent()).toBe('Times are shown in Europe/London (your time zone).');

    await page.getByRole('button', { name: 'Show times in Asia/Tokyo' }).click();
    expect(await page.locator('.timeline-day h3').allTextContents()).toEqual(['Tuesday, 19 June 2018', 'Monday, 18 June 2018']);
    expect((await first.locator('time').textContent())?.trim()).toBe('07:00');
    expect(await tick.textContent()).toBe('06:00');
    expect(await page.locator('[data-time-zone]').textContent()).toMatch(/^Times are shown in Asia\/Tokyo \(.+\)\.$/);
    await context.close();
  });

  test('reads the postmortem timeline under London’s days in Japanese', async () => {
    const context = await browser.newContext({ timezoneId: READER_ZONE });
    const page = await context.newPage();
    await page.goto(`${server.url}/ja/postmortems/renewal-outage`);
    const headings = page.locator('.pm-timeline .timeline-day h3');
    // The first update of June 18 (07:00 in Tokyo) is on June 17 in London.
    const firstOfJune18 = page.locator(`[data-day-at="${Date.UTC(2018, 5, 17, 22)}"]`);
    const dayOfFirst = page.locator('.pm-timeline .timeline-day', { has: firstOfJune18 }).locator('h3');
    expect(await dayOfFirst.textContent()).toBe(longDate('2018-06-18', 'ja-JP'));
    await page.getByRole('button', { name: '自分のタイムゾーンで表示' }).click();
    expect(await dayOfFirst.textContent()).toBe(longDate('2018-06-17', 'ja-JP'));
    // The last updates, early on June 19 in Tokyo, are still June 18 in London.
    expect(await headings.allTextContents()).not.toContain(longDate('2018-06-19', 'ja-JP'));
    expect(await page.locator('.pm-timeline .quiet').first().textContent()).toContain('Europe/London(お使いの端末のタイムゾーン)');
    expect(await page.locator('[data-time-zone]').textContent()).toBe('時刻は Europe/London(お使いの端末のタイムゾーン)で表示しています。');
    await context.close();
  });

  test('files a status page entry just after Tokyo midnight under the London day before, also after a live update', async () => {
    const at = resolvedJustAfterTokyoMidnight('Search slow just after midnight', 2);
    const siteDay = localDateKey(at, SITE_ZONE);
    const readerDay = localDateKey(at, READER_ZONE);
    expect(readerDay < siteDay).toBe(true);

    const context = await browser.newContext({ timezoneId: READER_ZONE });
    const page = await context.newPage();
    await page.goto(`${server.url}/en/`);
    expect(await dayOf(page, 'Search slow just after midnight')).toEqual({ key: siteDay, heading: longDate(siteDay, 'en-GB') });

    await page.getByRole('button', { name: 'Show times in my time zone' }).click();
    expect(await dayOf(page, 'Search slow just after midnight')).toEqual({ key: readerDay, heading: longDate(readerDay, 'en-GB') });
    // The site's day now holds nothing and says so.
    const emptied = page.locator(`[data-day="${siteDay}"]`);
    expect(await emptied.locator('[data-day-empty]').isVisible()).toBe(true);
    expect(await page.locator('[data-day-heading]').first().textContent()).toBe(longDate(localDateKey(Date.now(), READER_ZONE), 'en-GB'));

    // A change arrives over the live connection and replaces the page's content: it lands under London's days too.
    const later = resolvedJustAfterTokyoMidnight('Uploads failing just after midnight', 3);
    await page.getByRole('link', { name: 'Uploads failing just after midnight', exact: true }).waitFor({ timeout: 10_000 });
    const laterDay = localDateKey(later, READER_ZONE);
    await expect.poll(() => dayOf(page, 'Uploads failing just after midnight')).toEqual({ key: laterDay, heading: longDate(laterDay, 'en-GB') });
    expect(await dayOf(page, 'Search slow just after midnight')).toEqual({ key: readerDay, heading: longDate(readerDay, 'en-GB') });
    expect(await page.locator('[data-time-zone]').textContent()).toBe('Times are shown in Europe/London (your time zone).');

    // The choice is remembered on the next page.
    await page.goto(`${server.url}/en/`);
    expect(await dayOf(page, 'Search slow just after midnight')).toEqual({ key: readerDay, heading: longDate(readerDay, 'en-GB') });
    await context.close();
  });

  test('the public pages in the reader’s zone fit a 360 px screen, in English and Japanese', async () => {
    test.setTimeout(AUDIT ? 300_000 : 60_000);
    const db = openDatabase(server.databasePath);
    let maintenanceId: string;
    try {
      const start = Date.now() + 3 * 86_400_000;
      ({ incidentId: maintenanceId } = scheduleMaintenance(
        db,
        {
          name: 'Database upgrade',
          body: 'The database moves to a new version.',
          scheduledFor: start,
          scheduledUntil: start + 7_200_000,
          translations: { ja: { name: 'データベースの更新', body: 'データベースを新しい版に移行します。' } },
        },
        { now: Date.now() },
      ));
    } finally {
      db.$client.close();
    }
    // Layout only (no axe): the pages are the same kinds accessibility.test.ts audits, with the reader's times in place.
    await sweep(
      browser,
      [
        { name: 'status', path: '/', japanese: true },
        { name: 'incident', path: '/incidents/jun18renewal', japanese: true },
        { name: 'postmortem', path: '/postmortems/renewal-outage', japanese: true },
        { name: 'maintenance', path: `/incidents/${maintenanceId}`, japanese: true },
        { name: 'subscribe', path: '/subscribe', auditOnly: true },
      ],
      {
        server,
        axe: false,
        prefix: 'tz',
        context: { timezoneId: READER_ZONE },
        setup: (context) => context.addInitScript(() => localStorage.setItem('shirase.localTime', '1')),
      },
    );
  });
});

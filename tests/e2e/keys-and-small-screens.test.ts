import type { Browser, BrowserContext, Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WCAG_AA } from '../support/browser-checks';
import type { ServerProcess } from '../support/server-process';
import { decodeQuotedPrintable } from '../support/smtp-sink';
import { expect, sweep, test } from './fixtures';
import { openDatabase } from '../../db/open';
import { openIncident } from '../../src/lib/incidents/open-incident';

const LONG_URL =
  'https://status.example.com/a/very/long/path/that/goes/on/and/on/without/a/single/place/to/break/it/naturally?with=query&and=more-query-parameters-that-never-end';

let server: ServerProcess;
let browser: Browser;
let longUrlIncident: string;
/** The subscriber's own pages, with their tokens. */
let confirmPath: string;
let managePath: string;

function openIncidentNow(name: string, body: string): string {
  const db = openDatabase(server.databasePath);
  try {
    return openIncident(db, { name, status: 'investigating', body }, { now: Date.now() }).incidentId;
  } finally {
    db.$client.close();
  }
}

/** The mail the server wrote to its mail folder for `to` (the shared server has no SMTP; subscriber-journey tests real SMTP). */
async function mailFor(to: string, match: (raw: string) => boolean) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    let files: string[] = [];
    try {
      files = readdirSync(server.mailDir).filter((name) => name.endsWith('.eml'));
    } catch {
      // No mail written yet.
    }
    const raw = files
      .map((name) => decodeQuotedPrintable(readFileSync(join(server.mailDir, name), 'utf8')))
      .find((text) => text.includes(`To: ${to}`) && match(text));
    if (raw) return raw;
    if (Date.now() > deadline) throw new Error(`no mail for ${to}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test.beforeAll(async ({ browser: shared, server: shared2 }) => {
  test.setTimeout(60_000);
  browser = shared;
  server = shared2;
  longUrlIncident = openIncidentNow('Links in updates', `The details are at ${LONG_URL} and will stay there.`);

  // A subscription, confirmed, so the confirm and manage pages can be looked at.
  const page = await browser.newPage();
  const email = `reader-${Date.now()}@example.com`;
  await page.goto(server.url + '/subscribe');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  const mail = await mailFor(email, (text) => text.includes('Confirm your subscription'));
  const confirmUrl = new URL(/http:\/\/\S+?\/subscribe\/confirm\?token=[\w.-]+/.exec(mail)![0]);
  confirmPath = confirmUrl.pathname + confirmUrl.search;
  await page.goto(server.url + confirmPath);
  await page.getByRole('button', { name: 'Confirm my subscription' }).click();
  await page.getByRole('heading', { name: 'You are subscribed' }).waitFor();
  managePath = (await page.getByRole('link', { name: 'Change what you receive' }).getAttribute('href'))!;
  await page.close();
});

async function ready(page: Page, path: string) {
  await page.goto(server.url + path);
  if (path.endsWith('/')) await page.locator('html.strips-enhanced').waitFor({ state: 'attached' });
}

const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return {
      tag: el?.tagName ?? '',
      cell: !!el?.classList.contains('cell'),
      day: el?.dataset.day ?? '',
      component: el?.closest('[data-component-id]')?.getAttribute('data-component-id') ?? '',
      inComponents: !!el?.closest('.components'),
      href: el?.getAttribute('href') ?? '',
      id: el?.id ?? '',
      inSheet: !!el?.closest('.day-sheet'),
    };
  });

test.describe('the uptime strip by keyboard', () => {
  test('is one tab stop per strip; arrows, Home and End move by day; Enter opens the day’s incidents; Escape goes back', async () => {
    const page = await browser.newPage();
    await ready(page, '/en/');
    const strips = await page.locator('.uptime-strip').count();
    expect(strips).toBeGreaterThan(2);
    // Every strip has exactly one day in the tab order: today.
    const stops = await page
      .locator('.uptime-strip')
      .evaluateAll((els) => els.map((s) => [s.querySelectorAll('.cell[tabindex="0"]').length, s.lastElementChild?.getAttribute('tabindex')]));
    expect(stops).toEqual(Array.from({ length: strips }, () => [1, '0']));

    // The skip link comes first, then the first component's name (a link to its page), then its strip's today.
    await page.getByRole('heading', { name: 'Components' }).click();
    await page.keyboard.press('Tab');
    expect((await focused(page)).href).toBe('#uptime-formula');
    await page.keyboard.press('Tab');
    expect((await focused(page)).href).toMatch(/\/components\/[0-9a-z]{12}$/);
    await page.keyboard.press('Tab');
    const today = await focused(page);
    expect(today.cell).toBe(true);
    const days = await page
      .locator('.uptime-strip')
      .first()
      .locator('.cell')
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.day!));
    expect(today.day).toBe(days[days.length - 1]);
    // The day's words show in the sheet under the strip while it has the focus.
    const sheet = page.locator('.uptime').first().locator('.day-sheet');
    await expect(sheet).toBeVisible();

    await page.keyboard.press('ArrowLeft');
    expect((await focused(page)).day).toBe(days[days.length - 2]);
    await page.keyboard.press('ArrowRight');
    expect((await focused(page)).day).toBe(days[days.length - 1]);
    await page.keyboard.press('ArrowRight');
    expect((await focused(page)).day, 'the last day stays put').toBe(days[days.length - 1]);
    await page.keyboard.press('Home');
    expect((await focused(page)).day).toBe(days[0]);
    await expect(sheet).toContainText(
      await page
        .locator('.uptime-strip')
        .first()
        .locator('.cell')
        .first()
        .locator('span')
        .first()
        .evaluate((s) => s.firstChild!.textContent!),
    );
    await page.keyboard.press('End');
    expect((await focused(page)).day).toBe(days[days.length - 1]);

    // The tab stop follows the arrows: leaving the strip and coming back lands on the chosen day.
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    const chosen = (await focused(page)).day;
    expect(chosen).toBe(days[1]);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    expect((await focused(page)).day).toBe(chosen);
    expect(await page.locator('.uptime-strip').first().locator('.cell[tabindex="0"]').count()).toBe(1);

    // Enter on a day with an incident: the focus goes to that incident's link in the sheet.
    const withIncident = page.locator('.uptime-strip').first().locator('.cell:has(a)').first();
    const incidentHref = await withIncident.locator('a').first().getAttribute('href');
    const incidentDay = await withIncident.getAttribute('data-day');
    const index = days.indexOf(incidentDay!);
    await page.keyboard.press('Home');
    for (let i = 0; i < index; i++) await page.keyboard.press('ArrowRight');
    expect((await focused(page)).day).toBe(incidentDay);
    await page.keyboard.press('Enter');
    const inSheet = await focused(page);
    expect(inSheet.tag).toBe('A');
    expect(inSheet.href).toBe(incidentHref);
    await expect(sheet.getByRole('link')).toHaveCount(await withIncident.locator('a').count());
    await page.keyboard.press('Escape');
    expect((await focused(page)).day).toBe(incidentDay);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`${incidentHref}$`));
    await page.close();
  });

  test('reaches the first link after the components in two stops per component (its name and its strip), and the skip link jumps past them all', async () => {
    const page = await browser.newPage();
    await ready(page, '/en/');
    const strips = await page.locator('.uptime-strip').count();
    await page.getByRole('link', { name: 'Skip past the components' }).focus();
    await page.keyboard.press('Tab');
    for (let i = 0; i < strips; i++) {
      expect((await focused(page)).href, `component ${i + 1}'s name`).toMatch(/\/components\/[0-9a-z]{12}$/);
      await page.keyboard.press('Tab');
      expect((await focused(page)).cell, `component ${i + 1}'s strip`).toBe(true);
      await page.keyboard.press('Tab');
      // Today's sheet is open while today has the focus: an incident other tests opened today comes next, as a link in it.
      while ((await focused(page)).inSheet) await page.keyboard.press('Tab');
    }
    const after = await focused(page);
    expect(after.tag).toBe('A');
    expect(after.inComponents).toBe(false);

    await page.getByRole('link', { name: 'Skip past the components' }).focus();
    await page.keyboard.press('Enter');
    expect((await focused(page)).id).toBe('uptime-formula');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'A', inComponents: false, cell: false });
    await page.close();
  });

  test('keeps the chosen day focused, and the day’s sheet open, when the page updates itself', async () => {
    const page = await browser.newPage();
    await ready(page, '/en/');
    const second = page.locator('.uptime-strip').nth(1);
    await second.locator('.cell[tabindex="0"]').focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
    const before = await focused(page);
    expect(before.cell).toBe(true);

    openIncidentNow('Search is slow', 'Searches take several seconds.');
    await page.getByRole('heading', { name: 'Search is slow' }).waitFor({ timeout: 10_000 });
    const after = await focused(page);
    expect(after).toEqual(before);
    expect(await second.locator('.cell[tabindex="0"]').getAttribute('data-day')).toBe(before.day);
    // Still in place for the keys.
    await page.keyboard.press('ArrowRight');
    expect(Number((await focused(page)).day)).toBeGreaterThan(Number(before.day));

    // From inside a day's sheet the focus stays on the same link.
    const withIncident = page.locator('.uptime-strip').first().locator('.cell:has(a)').first();
    const href = await withIncident.locator('a').first().getAttribute('href');
    await withIncident.focus();
    await page.keyboard.press('Enter');
    expect((await focused(page)).href).toBe(href);
    openIncidentNow('Exports are queued', 'Board exports wait in a queue.');
    await page.getByRole('heading', { name: 'Exports are queued' }).waitFor({ timeout: 10_000 });
    expect((await focused(page)).href).toBe(href);
    await expect(page.locator('.uptime').first().locator('.day-sheet')).toBeVisible();
    await page.close();
  });
});

test.describe('a small touch screen', () => {
  let phone: BrowserContext;
  test.beforeAll(async () => {
    phone = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
  });
  test.afterAll(async () => {
    await phone?.close();
  });

  test('shows the status page’s last 30 days as one row; a tap opens the day with its incidents, and a finger slid along the strip moves through the days', async () => {
    const page = await phone.newPage();
    await ready(page, '/en/');
    // A strip with an incident among the days shown.
    const strip = page
      .locator('.uptime-strip')
      .filter({ has: page.locator('.cell:has(a)').filter({ visible: true }) })
      .first();
    const day = strip.locator('.cell:has(a)').filter({ visible: true }).first();
    const shown = strip.locator('.cell').filter({ visible: true });
    await expect(shown).toHaveCount(30);
    await day.scrollIntoViewIfNeeded();
    await day.tap();
    const sheet = strip.locator('xpath=..').locator('.day-sheet');
    await expect(sheet).toBeVisible();
    const link = sheet.getByRole('link').first();
    expect(await link.textContent()).toBe(await day.locator('a').first().textContent());
    const box = (await link.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(24);
    const sheetBox = (await sheet.boundingBox())!;
    expect(sheetBox.x).toBeGreaterThanOrEqual(0);
    expect(sheetBox.x + sheetBox.width).toBeLessThanOrEqual(360);

    // A finger put on the first day shown and slid sideways to today: each day it passes opens in the sheet.
    const days = await shown.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.day!));
    const from = (await shown.first().boundingBox())!;
    const to = (await shown.last().boundingBox())!;
    const y = from.y + from.height / 2;
    const touch = await phone.newCDPSession(page);
    await touch.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: from.x + from.width / 2, y }] });
    const middle = (await shown.nth(15).boundingBox())!;
    for (const x of [from.x + 20, middle.x + middle.width / 2]) await touch.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y }] });
    await expect(page.locator('.cell:focus')).toHaveAttribute('data-day', days[15]!);
    await expect(sheet).toContainText(
      await shown
        .nth(15)
        .locator('span')
        .first()
        .evaluate((s) => s.firstChild!.textContent!),
    );
    // Drifting above the strip still follows the finger sideways.
    await touch.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: to.x + to.width / 2, y: y - 30 }] });
    await touch.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expect(page.locator('.cell:focus')).toHaveAttribute('data-day', days.at(-1)!);
    await expect(sheet).toBeVisible();
    await touch.detach();
    await page.close();
  });

  test('keeps every day of a component’s own page a target of at least 24 by 24 px', async () => {
    const page = await phone.newPage();
    await ready(page, '/en/');
    await page.locator('.component-name').first().click();
    await page.waitForURL(/\/components\/[0-9a-z]{12}$/);
    const sizes = await page.locator('.uptime-strip .cell').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => [r.width, r.height]));
    expect(sizes).toHaveLength(90);
    const small = sizes.filter(([w, h]) => w! < 24 || h! < 24);
    expect(small, 'days smaller than 24 px').toEqual([]);
    await page.close();
  });

  test('never scrolls sideways at 360 px: status page, API page, an update with a long URL, maintenance, postmortem and the subscription pages', async () => {
    const page = await phone.newPage();
    for (const locale of ['en', 'ja']) {
      for (const path of [
        '/',
        '/api',
        `/incidents/${longUrlIncident}`,
        '/incidents/jun17mainten',
        '/incidents/jun18renewal',
        '/postmortems/renewal-outage',
        '/subscribe',
        confirmPath,
        managePath,
        managePath.replace('/subscribe/manage', '/unsubscribe'),
      ]) {
        await page.goto(`${server.url}/${locale}${path}`);
        const { scrollWidth, clientWidth } = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
        }));
        expect(clientWidth, path).toBeLessThanOrEqual(360);
        expect(scrollWidth, `${locale}${path} is wider than the screen`).toBeLessThanOrEqual(clientWidth);
      }
    }
    await page.goto(`${server.url}/en/incidents/${longUrlIncident}`);
    await expect(page.getByRole('link', { name: LONG_URL })).toBeVisible();
    await page.close();
  });

  test('says the incident’s phases at reading size under the chart', async () => {
    const page = await phone.newPage();
    await page.goto(`${server.url}/ja/incidents/jun18renewal`);
    const legend = page.locator('.phases-legend');
    await expect(legend).toBeVisible();
    expect(await legend.locator('li').first().textContent()).toContain('調査中');
    const size = await legend.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(14);
    await page.close();
  });
});

test.describe('the public forms', () => {
  test('ticking a component chooses “only these components”', async () => {
    const page = await browser.newPage();
    await page.goto(server.url + '/en/subscribe');
    // The email form; the chat channel form below it behaves the same.
    for (const form of [page.locator('form').first(), page.locator('.subscribe-chat form'), page.locator('.subscribe-push form')]) {
      await expect(form.getByLabel('Everything')).toBeChecked();
      await form.locator('.subscribe-components input[type="checkbox"]').first().check();
      await expect(form.getByLabel('Only these components:')).toBeChecked();
    }
    await page.close();
  });

  test('Unsubscribe looks unlike Save', async () => {
    const page = await browser.newPage();
    await page.goto(server.url + managePath);
    const look = (name: string) =>
      page.getByRole('button', { name, exact: true }).evaluate((b) => {
        const s = getComputedStyle(b);
        return [s.backgroundColor, s.color, s.borderColor].join(' ');
      });
    const save = await look('Save my choices');
    const leave = await look('Unsubscribe');
    expect(leave).not.toBe(save);
    expect(await page.getByRole('button', { name: 'Unsubscribe' }).evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgba(0, 0, 0, 0)');
    await page.close();
  });
});

test.describe('incident and maintenance pages', () => {
  test('list the newest update first, each with its status and time, under the day', async () => {
    const page = await browser.newPage();
    await page.goto(server.url + '/en/incidents/jun18renewal');
    const times = await page.locator('.timeline .update time').evaluateAll((els) => els.map((e) => Date.parse(e.getAttribute('datetime')!)));
    expect(times.length).toBe(15);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(await page.locator('.timeline-day h3').allTextContents()).toEqual(['Tuesday, 19 June 2018', 'Monday, 18 June 2018']);
    expect(await page.locator('.timeline .update').first().locator('.update-status').textContent()).toBe('Resolved');
    await page.close();
  });

  test('name a postmortem once, in links and headings, in both languages', async () => {
    const page = await browser.newPage();
    for (const [path, word] of [
      ['/en/incidents/jun18renewal', 'Postmortem:'],
      ['/en/history', 'Postmortem:'],
      ['/ja/incidents/jun18renewal', '障害報告:'],
      ['/ja/history', '障害報告:'],
      ['/en/postmortems/renewal-outage', 'Postmortem:'],
    ] as const) {
      await page.goto(server.url + path);
      const texts = await page.locator('.postmortem-link a, .history-postmortem, h1').allTextContents();
      const named = texts.filter((x) => x.includes(word));
      expect(named.length, path).toBeGreaterThan(0);
      for (const text of named) expect(text.split(word).length - 1, `${path}: ${text}`).toBe(1);
    }
    await page.close();
  });

  test('say Completed for a maintenance, not Resolved, in both languages', async () => {
    const page = await browser.newPage();
    await page.goto(server.url + '/en/incidents/jun17mainten');
    await expect(page.locator('.facts')).toContainText('Completed');
    await expect(page.locator('.facts')).not.toContainText('Resolved');
    await page.goto(server.url + '/ja/incidents/jun17mainten');
    await expect(page.locator('.facts')).toContainText('完了');
    await expect(page.locator('.facts')).not.toContainText('解決');
    await page.goto(server.url + '/en/history');
    await expect(page.locator('[data-incident-id="jun17mainten"] .history-meta')).toContainText('Completed');
    await page.close();
  });
});

test.describe('contrast', () => {
  // The public kinds of page are in accessibility.test.ts; these are the ones only a subscriber, or a long link, reaches.
  test('a long URL, the subscription pages and an open day sheet pass axe (WCAG 2.2 too), light and dark, and fit a 360 px screen', async () => {
    test.setTimeout(300_000);
    const tags = [...WCAG_AA, 'wcag22aa'];
    await sweep(
      browser,
      [
        { name: 'incident-long-url', path: `/incidents/${longUrlIncident}` },
        { name: 'confirm', path: confirmPath.replace(/^\/en/, '') },
        { name: 'manage', path: managePath.replace(/^\/en/, ''), japanese: true },
      ],
      { server, tags, prefix: 'subscriber' },
    );
    await sweep(browser, [{ name: 'status-day-sheet', path: '/', japanese: true }], {
      server,
      tags,
      prefix: 'status',
      // A day's sheet open, with its incident links.
      prepare: async (page) => {
        await page.locator('html.strips-enhanced').waitFor({ state: 'attached' });
        // A phone shows only the last 30 days: the day is one shown at the width checked.
        await page.locator('.uptime-strip .cell:has(a)').filter({ visible: true }).first().focus();
        await page.keyboard.press('Enter');
        await expect(page.locator('.day-sheet a:focus')).toBeVisible();
      },
    });
  });
});

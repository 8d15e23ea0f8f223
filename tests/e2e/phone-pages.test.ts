import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, test } from './fixtures';

// A customer on a phone (360 × 640 px) opens the status page and the uptime report, in both languages.
const PHONE = { viewport: { width: 360, height: 640 }, hasTouch: true, isMobile: true };

const WORDS = {
  en: {
    daysAgo: '30 days ago',
    wideDaysAgo: '90 days ago',
    over: /uptime over the last 30 days$/,
    wideOver: /uptime over the last 90 days$/,
    note: /^Uptime over the last 30 days\. How/,
    calendars: 'Each month, day by day',
  },
  ja: {
    daysAgo: '30 日前',
    wideDaysAgo: '90 日前',
    over: /^過去 30 日間の稼働率/,
    wideOver: /^過去 90 日間の稼働率/,
    note: /^過去 30 日間の稼働率。稼働率の計算方法/,
    calendars: '月ごとの日別カレンダー',
  },
} as const;

/** The most a component's row may take on a phone: its name and status, a line of description, the strip and its legend. */
const ROW = 150;

/** Each strip as this width shows it: the days displayed, the rows they take, whether the last is today, and its words. */
function strips(page: Page) {
  return page.locator('.uptime').evaluateAll((els) =>
    els.map((uptime) => {
      const cells = Array.from(uptime.querySelectorAll<HTMLElement>('.uptime-strip > .cell'));
      const shown = cells.filter((c) => c.getClientRects().length > 0);
      return {
        days: shown.length,
        rows: new Set(shown.map((c) => Math.round(c.getBoundingClientRect().top))).size,
        endsToday: shown.at(-1) === cells.at(-1),
        legend: uptime.querySelector<HTMLElement>('.uptime-legend')!.innerText,
        summary: uptime.querySelector<HTMLElement>('p.visually-hidden')!.innerText.trim(),
      };
    }),
  );
}

let browser: Browser;
let phone: BrowserContext;
let url: string;
test.beforeAll(async ({ browser: shared, server }) => {
  browser = shared;
  url = server.url;
  phone = await browser.newContext(PHONE);
});
test.afterAll(async () => {
  await phone?.close();
});

for (const locale of ['en', 'ja'] as const) {
  const words = WORDS[locale];

  test(`${locale}: the status page shows each component's last 30 days in one row on a phone, and 90 on a wide screen`, async () => {
    const page = await phone.newPage();
    await page.goto(`${url}/${locale}/`);
    await page.locator('html.strips-enhanced').waitFor({ state: 'attached' });
    const shown = await strips(page);
    expect(shown.length).toBeGreaterThan(5);
    for (const s of shown) {
      expect(s).toMatchObject({ days: 30, rows: 1, endsToday: true });
      expect(s.legend).toContain(words.daysAgo);
      expect(s.legend).not.toContain(words.wideDaysAgo);
      expect(s.summary).toMatch(words.over);
    }
    await expect(page.locator('.uptime-strip').first()).toHaveAccessibleName(locale === 'en' ? 'Uptime by day' : '日ごとの稼働率');
    expect(await page.locator('#uptime-formula').innerText()).toMatch(words.note);

    // Each component takes a few lines, and the banner with the demo's seven components fits in two screens (other
    // tests on this server may add components: each gets a row's height more).
    const { banner, components, rows } = await page.evaluate(() => {
      const section = document.querySelector('section:has(> #components-heading)')!;
      const groups = section.querySelectorAll('.component-group');
      return {
        banner: document.querySelector('.banner')!.getBoundingClientRect().height,
        components: groups[groups.length - 1]!.getBoundingClientRect().bottom - section.getBoundingClientRect().top,
        rows: Array.from(section.querySelectorAll('.components > .component'), (c) => c.getBoundingClientRect().height),
      };
    });
    for (const row of rows) expect(row).toBeLessThanOrEqual(ROW);
    expect(banner + components).toBeLessThanOrEqual(2 * 640 + ROW * Math.max(0, rows.length - 7));

    // Home and End stop at the days shown.
    const strip = page.locator('.uptime-strip').first();
    const visibleDays = await strip
      .locator('.cell')
      .evaluateAll((els) => els.filter((c) => c.getClientRects().length > 0).map((c) => (c as HTMLElement).dataset.day));
    await strip.locator('.cell[tabindex="0"]').focus();
    await page.keyboard.press('Home');
    await expect(strip.locator('.cell:focus')).toHaveAttribute('data-day', visibleDays[0]!);
    await page.keyboard.press('ArrowRight');
    await expect(strip.locator('.cell:focus')).toHaveAttribute('data-day', visibleDays[1]!);
    await page.keyboard.press('End');
    await expect(strip.locator('.cell:focus')).toHaveAttribute('data-day', visibleDays.at(-1)!);

    // The same page on a wide screen: every strip shows the 90 days again, and says so.
    await page.setViewportSize({ width: 1280, height: 800 });
    for (const s of await strips(page)) {
      expect(s).toMatchObject({ days: 90, rows: 1, endsToday: true });
      expect(s.legend).toContain(words.wideDaysAgo);
      expect(s.summary).toMatch(words.wideOver);
    }
    await page.close();
  });

  test(`${locale}: the uptime report opens on its summary, and each component's months open on demand, by keyboard, link or query`, async () => {
    const page = await phone.newPage();
    await page.goto(`${url}/${locale}/uptime`);
    const summaryTable = page.locator('.uptime-summary');
    await expect(summaryTable).toBeVisible();
    const sections = page.locator('.uptime-component');
    const count = await sections.count();
    expect(count).toBeGreaterThan(5);
    // Every calendar is closed: none is laid out, and the page is a few screens long rather than dozens.
    await expect(page.locator('.uptime-month').filter({ visible: true })).toHaveCount(0);
    await expect(page.locator('details.uptime-calendars[open]')).toHaveCount(0);
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(5_000);

    // From the summary table's last name, Tab reaches the first component's summary; Enter opens its months, and
    // Tab goes on into its first calendar.
    const first = sections.first();
    await summaryTable.getByRole('link').last().focus();
    await page.keyboard.press('Tab');
    const opener = first.locator('summary');
    await expect(opener).toBeFocused();
    await expect(opener).toHaveText(words.calendars);
    await page.keyboard.press('Enter');
    await expect(first.locator('.uptime-month').first()).toBeVisible();
    await expect(sections.nth(1).locator('.uptime-month').first()).toBeHidden();
    await page.keyboard.press('Tab');
    await expect(first.locator('.uptime-calendar td[tabindex="0"]').first()).toBeFocused();
    await expect(first.locator('.uptime-day-line').first()).toBeVisible();
    await opener.focus();
    await page.keyboard.press('Space');
    await expect(first.locator('.uptime-month').first()).toBeHidden();

    // A component's name in the summary table links to its months and opens them.
    const third = sections.nth(2);
    const id = (await third.getAttribute('data-component-id'))!;
    await summaryTable.locator(`a[href="#c-${id}"]`).click();
    await expect(third.locator('.uptime-month').first()).toBeVisible();
    await expect(third.locator('.uptime-month').first()).toBeInViewport();
    expect(page.url()).toMatch(new RegExp(`#c-${id}$`));

    // A report of one component shows its months open.
    await page.goto(`${url}/${locale}/uptime?component=${id}`);
    await expect(page.locator('.uptime-component .uptime-month').first()).toBeVisible();
    await page.close();
  });
}

test('the uptime report opens a component’s months without JavaScript, from its summary or a link to them', async () => {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${url}/en/uptime`);
  const sections = page.locator('.uptime-component');
  const second = sections.nth(1);
  await expect(second.locator('.uptime-month').first()).toBeHidden();
  await second.locator('summary').click();
  await expect(second.locator('.uptime-month').first()).toBeVisible();

  const fourth = sections.nth(3);
  const id = (await fourth.getAttribute('data-component-id'))!;
  // Loaded afresh with the fragment, not moved to it within the page.
  await page.goto('about:blank');
  await page.goto(`${url}/en/uptime#c-${id}`);
  await expect(fourth.locator('.uptime-month').first()).toBeVisible();
  await expect(sections.first().locator('.uptime-month').first()).toBeHidden();
  await context.close();
});

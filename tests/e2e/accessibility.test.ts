import { expect, test, type Browser, type BrowserContext } from '@playwright/test';
import { axeViolations, SHOTS } from '../support/browser-checks';
import { startServerProcess, type ServerProcess } from '../support/server-process';


let server: ServerProcess;
let browser: Browser;
let context: BrowserContext;

test.beforeAll(async ({ browser: shared }) => {
  // One browser per worker, launched by Playwright with the options in playwright.config.ts.
  browser = shared;
  server = await startServerProcess();
  // axe is injected as an inline script, which the pages' CSP rightly forbids; bypass it for the audit only.
  context = await browser.newContext({ bypassCSP: true });
  // A component, not a group: groups have no page of their own.
  const components = (await (await fetch(server.url + '/api/v2/components.json')).json()) as { components: { id: string; group: boolean }[] };
  componentId = components.components.find((c) => !c.group)!.id;
});
test.afterAll(async () => {
  await context?.close();
  await server?.stop();
});

/** Every kind of public page a reader can land on; the component's id is the demo's first, read from the API. */
const PAGES = [
  ['status', '/'],
  ['history', '/history'],
  ['history-search', '/history?q=renewal'],
  ['incident', '/incidents/jun18renewal'],
  ['maintenance', '/incidents/jun17mainten'],
  ['postmortems', '/postmortems'],
  ['postmortem', '/postmortems/renewal-outage'],
  ['component', '/components/{component}'],
  ['uptime', '/uptime?from=2018-06-01&to=2018-06-30'],
  ['api', '/api'],
  ['subscribe', '/subscribe'],
  ['unsubscribe', '/unsubscribe?token=not-a-real-token'],
  ['embed', '/embed'],
  ['not-found', '/no-such-page'],
] as const;

let componentId = '';
const pathOf = (path: string) => path.replace('{component}', componentId);

test.describe('accessibility', () => {
  for (const locale of ['en', 'ja']) {
    for (const [name, path] of PAGES) {
      test(`${locale} ${name} has no axe violations`, async () => {
        const page = await context.newPage();
        await page.goto(`${server.url}/${locale}${pathOf(path)}`);
        expect(await page.getAttribute('html', 'lang')).toBe(locale);
        expect(await axeViolations(page)).toEqual([]);
        await page.close();
      });
    }
  }

  test('admin pages have no axe violations', async () => {
    // Sixteen pages audited one after another.
    test.setTimeout(120_000);
    const page = await context.newPage();
    await page.goto(server.url + '/admin/login');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Email address').fill('admin@example.com');
    await page.getByLabel('Password').fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/admin$/);
    for (const path of ['/admin', '/admin/incidents/new', '/admin/incidents/jun18renewal', '/admin/maintenance/new', '/admin/components', '/admin/uptime', '/admin/postmortems', '/admin/postmortems/edit?file=2018-06-22-renewal-outage.md', '/admin/subscribers', '/admin/templates', '/admin/audit', '/admin/tokens', '/admin/users', '/admin/account', '/admin/account/two-factor', '/admin/embed']) {
      await page.goto(server.url + path);
      expect(await axeViolations(page), path).toEqual([]);
    }
    // Setting up two-factor sign-in: the QR code, the key and the code field (nothing changes at sign-in until a code confirms it).
    await page.goto(server.url + '/admin/account/two-factor');
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    await page.getByLabel('The 6-digit code the app shows now').waitFor();
    expect(await axeViolations(page), 'two-factor set-up').toEqual([]);
    await page.close();
  });

  test('lets a keyboard reach the uptime strip and read a day', async () => {
    const page = await context.newPage();
    await page.goto(server.url + '/en/');
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.classList.contains('cell'))) break;
    }
    expect(await page.evaluate(() => document.activeElement?.classList.contains('cell'))).toBe(true);
    // The day's words show in the sheet under its strip.
    const detail = page.locator('.uptime:has(.cell:focus) .day-sheet');
    expect(await detail.isVisible()).toBe(true);
    expect(await detail.textContent()).toMatch(/uptime|No data|no data/);
    await page.close();
  });

  test('lets a keyboard move through a month of the uptime report and read each day', async () => {
    const page = await context.newPage();
    await page.goto(server.url + '/en/uptime?from=2018-06-01&to=2018-06-30&component=' + componentId);
    // One tab stop per month: the first day shown.
    await page.locator('.uptime-calendar td[data-day="2018-06-01"]').focus();
    expect(await page.locator('.uptime-calendar td[tabindex="0"]').count()).toBe(1);
    // June 1, 2018 was a Friday: down a week twice and right three days is the 18th.
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowRight', 'ArrowRight', 'ArrowRight']) await page.keyboard.press(key);
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.day)).toBe('2018-06-18');
    await expect(page.locator('.uptime-day-line')).toHaveText(/^2018-06-18: .*% uptime, 15 h 30 min down/);
    await page.keyboard.press('End');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.day)).toBe('2018-06-30');
    await page.close();
  });

  test('switches the times to the reader’s own zone and back', async () => {
    const local = await browser.newContext({ timezoneId: 'Europe/Paris' });
    const page = await local.newPage();
    await page.goto(server.url + '/en/incidents/jun18renewal');
    const earliest = page.locator('.timeline time').last();
    expect((await earliest.textContent())?.trim()).toBe('07:00');
    await page.getByRole('button', { name: 'Show times in my time zone' }).click();
    expect((await earliest.textContent())?.trim()).toBe('00:00');
    expect(await page.locator('[data-time-zone]').textContent()).toContain('Europe/Paris');
    await page.getByRole('button', { name: 'Show times in Asia/Tokyo' }).click();
    expect((await earliest.textContent())?.trim()).toBe('07:00');
    await local.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test(`saves screenshots of every public page in both languages, ${colorScheme}, at desktop width and 360 px, none wider than the screen${colorScheme === 'dark' ? '; the dark scheme passes axe too' : ''}`, async () => {
      // Thirteen pages twice over in two widths, and in the dark a slow audit of each: minutes on a shared machine.
      test.setTimeout(300_000);
      for (const width of [1280, 360]) {
        const themed = await browser.newContext({ colorScheme, viewport: { width, height: width === 360 ? 740 : 900 }, bypassCSP: true });
        const page = await themed.newPage();
        for (const locale of ['en', 'ja']) {
          for (const [name, path] of PAGES) {
            const where = `${locale} ${name} at ${width} px`;
            await page.goto(`${server.url}/${locale}${pathOf(path)}`);
            // The dark scheme has colours of its own; their contrast is checked here.
            if (colorScheme === 'dark' && width === 1280) expect(await axeViolations(page), `${where} in the dark scheme`).toEqual([]);
            const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
            expect(scrollWidth, `${where} is wider than the screen`).toBeLessThanOrEqual(clientWidth);
            if (name !== 'embed') await expect(page.getByRole('heading', { level: 1 }).first(), where).toBeInViewport();
            if (name === 'status') await expect(page.locator('.banner'), where).toBeInViewport();
            await page.screenshot({ path: `${SHOTS}/page-${name}-${locale}-${colorScheme}-${width}.png`, fullPage: width === 360 });
          }
        }
        await themed.close();
      }
    });
  }
});

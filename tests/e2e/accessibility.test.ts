import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startServerProcess, type ServerProcess } from '../support/server-process';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = 'test-results/screenshots';

let server: ServerProcess;
let browser: Browser;
let context: BrowserContext;

test.beforeAll(async ({ browser: shared }) => {
  // One browser per worker, launched by Playwright with the options in playwright.config.ts.
  browser = shared;
  server = await startServerProcess();
  // axe is injected as an inline script, which the pages' CSP rightly forbids; bypass it for the audit only.
  context = await browser.newContext({ bypassCSP: true });
  mkdirSync(SHOTS, { recursive: true });
});
test.afterAll(async () => {
  await context?.close();
  await server?.stop();
});

async function audit(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const result = await (window as Window & { axe?: typeof import('axe-core') }).axe!.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  return violations;
}

const SHOWN = [
  ['status', '/'],
  ['incident', '/incidents/jun18renewal'],
  ['postmortem', '/postmortems/renewal-outage'],
] as const;

const PUBLIC = ['/', '/history', '/incidents/jun18renewal', '/postmortems/renewal-outage', '/postmortems', '/api', '/subscribe', '/no-such-page'];

test.describe('accessibility', () => {
  for (const locale of ['en', 'ja']) {
    for (const path of PUBLIC) {
      test(`${locale}${path} has no axe violations`, async () => {
        const page = await context.newPage();
        await page.goto(`${server.url}/${locale}${path === '/' ? '/' : path}`);
        expect(await page.getAttribute('html', 'lang')).toBe(locale);
        expect(await audit(page)).toEqual([]);
        await page.close();
      });
    }
  }

  test('admin pages have no axe violations', async () => {
    // Sixteen pages audited one after another.
    test.setTimeout(120_000);
    const page = await context.newPage();
    await page.goto(server.url + '/admin/login');
    expect(await audit(page)).toEqual([]);
    await page.getByLabel('Email address').fill('admin@example.com');
    await page.getByLabel('Password').fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/admin$/);
    for (const path of ['/admin', '/admin/incidents/new', '/admin/incidents/jun18renewal', '/admin/maintenance/new', '/admin/components', '/admin/postmortems', '/admin/postmortems/edit?file=2018-06-22-renewal-outage.md', '/admin/subscribers', '/admin/templates', '/admin/audit', '/admin/tokens', '/admin/users', '/admin/account', '/admin/account/two-factor', '/admin/embed']) {
      await page.goto(server.url + path);
      expect(await audit(page), path).toEqual([]);
    }
    // Setting up two-factor sign-in: the QR code, the key and the code field (nothing changes at sign-in until a code confirms it).
    await page.goto(server.url + '/admin/account/two-factor');
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    await page.getByLabel('The 6-digit code the app shows now').waitFor();
    expect(await audit(page), 'two-factor set-up').toEqual([]);
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

  test('saves screenshots of the main pages in both languages and colour schemes; the dark scheme passes axe too', async () => {
    // Twelve pages and six audits, each reading every day cell of the status page: slow on a shared machine.
    test.setTimeout(180_000);
    for (const colorScheme of ['light', 'dark'] as const) {
      const themed = await browser.newContext({ colorScheme, viewport: { width: 1024, height: 900 }, bypassCSP: true });
      const page = await themed.newPage();
      for (const locale of ['en', 'ja']) {
        for (const [name, path] of SHOWN) {
          await page.goto(`${server.url}/${locale}${path}`);
          // The dark scheme has colours of its own; their contrast is checked here.
          if (colorScheme === 'dark') expect(await audit(page), `${locale}${path} in the dark scheme`).toEqual([]);
          await page.screenshot({ path: `${SHOTS}/${name}-${locale}-${colorScheme}.png`, fullPage: false });
        }
      }
      await themed.close();
    }
  });

  test('fits a 360 px screen: nothing scrolls sideways, the heading and the status banner are in view', async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await phone.newPage();
    for (const locale of ['en', 'ja']) {
      for (const [name, path] of SHOWN) {
        const where = `${locale}${path}`;
        await page.goto(`${server.url}/${locale}${path}`);
        const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
        expect(clientWidth, where).toBeLessThanOrEqual(360);
        expect(scrollWidth, `${where} is wider than the screen`).toBeLessThanOrEqual(clientWidth);
        await expect(page.getByRole('heading', { level: 1 }), where).toBeInViewport();
        if (name === 'status') {
          await expect(page.locator('.banner'), where).toBeInViewport();
          await expect(page.locator('#banner-title'), where).toBeVisible();
        }
        await page.screenshot({ path: `${SHOTS}/${name}-${locale}-360px.png` });
      }
    }
    await phone.close();
  });
});

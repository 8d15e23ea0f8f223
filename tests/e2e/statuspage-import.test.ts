import { expect, test, type Browser } from '@playwright/test';
import { SHOTS, axeViolations, signInAsDemoAdmin } from '../support/browser-checks';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { startStatuspageFixtures } from '../support/statuspage-fixtures';

let server: ServerProcess;
let fixtures: Awaited<ReturnType<typeof startStatuspageFixtures>>;
let browser: Browser;

test.beforeAll(async ({ browser: shared }) => {
  browser = shared;
  fixtures = await startStatuspageFixtures();
  // The recorded page is served on loopback: the server is told it may fetch from there.
  server = await startServerProcess({ WEBHOOK_ALLOW_PRIVATE: '1' });
});
test.afterAll(async () => {
  await server?.stop();
  await fixtures?.close();
});

test.describe('moving in from Statuspage', () => {
  test('an admin imports a page from Settings, sees what came in, and the status page shows its history', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAsDemoAdmin(page, server);
    await page.goto(server.url + '/admin/settings');
    await page.getByRole('link', { name: 'Moving from Statuspage? Import its page' }).click();
    await expect(page).toHaveURL(/\/admin\/settings\/import$/);

    // A page that cannot be reached is named, and what was typed stays.
    await page.getByLabel('Address of the Statuspage page').fill('http://127.0.0.1:9/');
    await page.getByRole('button', { name: 'Import' }).click();
    await expect(page.locator('#url-error')).toContainText('Could not reach http://127.0.0.1:9/api/v2/summary.json');
    await expect(page.getByLabel('Address of the Statuspage page')).toHaveValue('http://127.0.0.1:9/');

    await page.getByLabel('Address of the Statuspage page').fill(fixtures.url);
    await page.getByRole('button', { name: 'Import' }).click();
    await expect(page.getByRole('status')).toContainText('Imported from Acme Cloud.');
    await expect(page.getByRole('row', { name: /Incidents/ }).getByRole('cell')).toHaveText(['3', '0']);
    expect(await axeViolations(page)).toEqual([]);

    // The imported incident keeps its Statuspage id and its timeline.
    await page.goto(server.url + '/incidents/k2c8jd7vwq4m');
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Elevated API error rates');
    await expect(page.getByText('faulty load balancer configuration')).toBeVisible();
    expect(errors).toEqual([]);
    await context.close();
  });

  for (const [locale, prefix] of [['en', ''], ['ja', '/ja']] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      test(`the import page and the status page after it (${locale}, ${colorScheme}, desktop and 360 px)`, async () => {
        const context = await browser.newContext({ colorScheme, bypassCSP: true });
        const page = await context.newPage();
        await signInAsDemoAdmin(page, server);
        await page.goto(`${server.url}${prefix}/admin/settings/import`);
        await page.locator('#url').fill(fixtures.url);
        await page.locator('#url').evaluate((el) => (el as HTMLInputElement).form!.requestSubmit());
        await expect(page.locator('[data-import-report]')).toBeVisible();
        expect(await axeViolations(page)).toEqual([]);
        for (const width of [1280, 360]) {
          await page.setViewportSize({ width, height: 900 });
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          expect(overflow, `${width} px`).toBeLessThanOrEqual(0);
          await page.screenshot({ path: `${SHOTS}/admin-statuspage-import-${locale}-${colorScheme}-${width}.png`, fullPage: true });
        }
        await page.goto(`${server.url}${prefix}/`);
        for (const width of [1280, 360]) {
          await page.setViewportSize({ width, height: 900 });
          await page.screenshot({ path: `${SHOTS}/status-after-statuspage-import-${locale}-${colorScheme}-${width}.png`, fullPage: true });
        }
        await context.close();
      });
    }
  }
});

import { readFileSync } from 'node:fs';
import { expect, test, type Browser } from '@playwright/test';
import { SHOTS, axeViolations, signInAsDemoAdmin } from '../support/browser-checks';
import { startServerProcess, type ServerProcess } from '../support/server-process';

let server: ServerProcess;
let browser: Browser;

test.beforeAll(async ({ browser: shared }) => {
  browser = shared;
  server = await startServerProcess();
});
test.afterAll(async () => {
  await server?.stop();
});

test.describe('moving subscribers in and out', () => {
  test('import a CSV file: the page says what will happen, asks, then imports; the export downloads the list', async () => {
    // axe goes in as an inline script, which the pages' CSP rightly forbids.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAsDemoAdmin(page, server);
    await page.goto(server.url + '/admin/subscribers');

    await page.getByLabel('CSV file').setInputFiles({ name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from('email,language\nmoved-1@example.com,ja\nmoved-2@example.com,en\n') });
    // No choice made yet: the page says so and keeps the list.
    await page.getByRole('button', { name: 'Check the list' }).click();
    await expect(page.locator('#import-mode-error')).toHaveText(/Choose whether to ask each address to confirm/);
    await expect(page.getByLabel('Or paste the CSV here')).toHaveValue(/moved-1@example.com,ja/);

    await page.getByLabel(/Count them as confirmed and email nobody/).check();
    await page.getByRole('button', { name: 'Check the list' }).click();
    const question = page.locator('#confirm-question');
    await expect(question).toHaveText(/Add 2 addresses as confirmed subscribers, without asking them\?/);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/admin-subscribers-import-confirm.png`, fullPage: true });
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.waitForURL(/done=imported/);
    await expect(page.getByRole('status')).toContainText('Imported.');
    await expect(page.getByRole('cell', { name: 'moved-1@example.com' })).toBeVisible();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download every subscriber as CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^shirase-subscribers-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toMatch(/^\uFEFFemail,language,status/);
    expect(csv).toContain('moved-1@example.com,ja,confirmed');
    expect(errors).toEqual([]);
    await context.close();
  });

  for (const [locale, prefix] of [['en', ''], ['ja', '/ja']] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      test(`the import form reads well and passes axe (${locale}, ${colorScheme}, desktop and 360 px)`, async () => {
        const context = await browser.newContext({ colorScheme, bypassCSP: true });
        const page = await context.newPage();
        await signInAsDemoAdmin(page, server);
        // A list with a bad line, to show how problems are listed.
        await page.goto(`${server.url}${prefix}/admin/subscribers`);
        await page.locator('#import-csv').fill('email\nnot-an-address\n');
        await page.locator('input[name="mode"][value="ask"]').check();
        await page.locator('#import-csv').evaluate((el) => (el as HTMLTextAreaElement).form!.requestSubmit());
        await expect(page.locator('.error-summary li')).toHaveCount(1);
        expect(await axeViolations(page)).toEqual([]);
        for (const width of [1280, 360]) {
          await page.setViewportSize({ width, height: 900 });
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 5).map((e) => e.tagName + '.' + e.className + '#' + e.id));
          expect(overflow, `${width} px: ${wide.join(' ')}`).toBeLessThanOrEqual(0);
          await page.locator('section:has(#import)').screenshot({ path: `${SHOTS}/admin-subscribers-import-${locale}-${colorScheme}-${width}.png` });
        }
        await context.close();
      });
    }
  }
});

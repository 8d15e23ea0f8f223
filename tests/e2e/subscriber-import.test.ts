import { readFileSync } from 'node:fs';
import { axeViolations } from '../support/browser-checks';
import { AUDIT, expect, SHOTS, sweep, test } from './fixtures';

test.describe('moving subscribers in and out', () => {
  test('import a CSV file: the page says what will happen, asks, then imports; the export downloads the list', async ({ server, staffPage }) => {
    const page = await staffPage({ acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const moved = [`moved-${Date.now()}-1@example.com`, `moved-${Date.now()}-2@example.com`];
    await page.goto(server.url + '/admin/subscribers');

    await page
      .getByLabel('CSV file')
      .setInputFiles({ name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from(`email,language\n${moved[0]},ja\n${moved[1]},en\n`) });
    // No choice made yet: the page says so and keeps the list.
    await page.getByRole('button', { name: 'Check the list' }).click();
    await expect(page.locator('#import-mode-error')).toHaveText(/Choose whether to ask each address to confirm/);
    await expect(page.getByLabel('Or paste the CSV here')).toHaveValue(new RegExp(`${moved[0]},ja`));

    await page.getByLabel(/Count them as confirmed and email nobody/).check();
    await page.getByRole('button', { name: 'Check the list' }).click();
    const question = page.locator('#confirm-question');
    await expect(question).toHaveText(/Add 2 addresses as confirmed subscribers, without asking them\?/);
    expect(await axeViolations(page)).toEqual([]);
    if (AUDIT) await page.screenshot({ path: `${SHOTS}/admin-subscribers-import-confirm.png`, fullPage: true });
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.waitForURL(/done=imported/);
    await expect(page.getByRole('status')).toContainText('Imported.');
    await expect(page.getByRole('cell', { name: moved[0] })).toBeVisible();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download every subscriber as CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^shirase-subscribers-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toMatch(/^\uFEFFemail,language,status/);
    expect(csv).toContain(`${moved[0]},ja,confirmed`);
    expect(errors).toEqual([]);
  });

  test('the import form with a refused line passes axe, light and dark, and fits a 360 px screen', async ({ browser, server, adminState }) => {
    test.setTimeout(AUDIT ? 180_000 : 60_000);
    await sweep(browser, [{ name: 'subscribers-import-refused', path: '/admin/subscribers', japanese: true }], {
      server,
      storageState: adminState,
      prefix: 'admin',
      // A list with a bad line, to show how problems are listed.
      prepare: async (page) => {
        await page.locator('#import-csv').fill('email\nnot-an-address\n');
        await page.locator('input[name="mode"][value="ask"]').check();
        await page.locator('#import-csv').evaluate((el) => (el as HTMLTextAreaElement).form!.requestSubmit());
        await expect(page.locator('.error-summary li')).toHaveCount(1);
      },
    });
  });
});

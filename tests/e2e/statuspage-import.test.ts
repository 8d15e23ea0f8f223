import type { Browser } from '@playwright/test';
import { axeViolations, signInAsDemoAdmin } from '../support/browser-checks';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { startStatuspageFixtures } from '../support/statuspage-fixtures';
import { AUDIT, expect, sweep, test } from './fixtures';

let server: ServerProcess;
let fixtures: Awaited<ReturnType<typeof startStatuspageFixtures>>;
let browser: Browser;

test.beforeAll(async ({ browser: shared }) => {
  browser = shared;
  fixtures = await startStatuspageFixtures();
  // A server of its own: the import brings in a whole page (components and incidents) that would change what other tests count.
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

  test('the import report and the status page after it pass axe, light and dark, and fit a 360 px screen', async () => {
    test.setTimeout(AUDIT ? 300_000 : 60_000);
    const context = await browser.newContext();
    await signInAsDemoAdmin(await context.newPage(), server);
    const storageState = await context.storageState();
    await context.close();
    await sweep(
      browser,
      [
        { name: 'statuspage-import', path: '/admin/settings/import', japanese: true },
        { name: 'status-after-statuspage-import', path: '/', auditOnly: true },
      ],
      {
        server,
        storageState,
        prefix: 'admin',
        prepare: async (page, _look, entry) => {
          if (entry.name !== 'statuspage-import') return;
          await page.locator('#url').fill(fixtures.url);
          await page.locator('#url').evaluate((el) => (el as HTMLInputElement).form!.requestSubmit());
          await expect(page.locator('[data-import-report]')).toBeVisible();
        },
      },
    );
  });
});

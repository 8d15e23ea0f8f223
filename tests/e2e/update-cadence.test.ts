import { expect, test, type Browser } from '@playwright/test';
import { openDatabase, type Db } from '../../db/open';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { axeViolations, SHOTS, signInAsDemoAdmin, WCAG_AA } from '../support/browser-checks';
import { startServerProcess, type ServerProcess } from '../support/server-process';

let server: ServerProcess;
let browser: Browser;
let db: Db;
let incidentId: string;
let overdueId: string;

test.beforeAll(async ({ browser: shared }) => {
  browser = shared;
  // The cadence check runs every second here (every minute by default), on its real timer.
  server = await startServerProcess({ CADENCE_CHECK_SECONDS: '1' });
  db = openDatabase(server.databasePath);
  // Customers last heard about this one two hours ago, with the default 60-minute cadence.
  const now = Date.now();
  ({ incidentId } = openIncident(db, { name: 'Silent queue', status: 'investigating', body: 'Jobs are not being picked up.', notify: false, displayAt: now - 2 * 3_600_000 }, { now }));
  // One that stays overdue, for the screenshots.
  ({ incidentId: overdueId } = openIncident(db, { name: 'Stalled exports', status: 'identified', body: 'Exports wait in a queue.', notify: false, displayAt: now - 95 * 60_000 }, { now }));
});
test.afterAll(async () => {
  db?.$client.close();
  await server?.stop();
});

test.describe('update cadence', () => {
  test('a missed cadence is marked on the dashboard, the reminder reaches the admin, and a longer cadence clears the mark', async () => {
    const page = await browser.newPage();
    await signInAsDemoAdmin(page, server);
    const item = page.locator(`li[data-incident="${incidentId}"]`);
    await expect(item.getByRole('link', { name: 'Silent queue' })).toBeVisible();
    await expect(item).toHaveAttribute('data-overdue', 'true');
    await expect(item.locator('.overdue-mark')).toContainText('Update overdue by 1 h');
    await expect(item).toContainText('Customers last heard from us 2 h ago');
    await expect(item).toContainText('Update cadence: every 60 min');
    await expect(item).toContainText('GMT+9');
    await expect(page.getByText('Times in Asia/Tokyo (GMT+9).')).toBeVisible();

    // The timer queues the reminder and the worker writes it to the mail folder the Sent mail page reads.
    await expect
      .poll(async () => {
        await page.goto(server.url + '/admin/mail');
        return page.getByRole('link', { name: /No public update for 2 h: Silent queue/ }).count();
      })
      .toBe(1);
    await page.getByRole('link', { name: /No public update for 2 h: Silent queue/ }).click();
    await expect(page.locator('dl.mail-headers')).toContainText('admin@example.com');
    const body = page.locator('pre.eml').first();
    await expect(body).toContainText('Customers last heard from us 2 h ago');
    await expect(body).toContainText('(Asia/Tokyo)');
    await expect(body).toContainText(`/admin/incidents/${incidentId}`);

    // Later ticks send nothing more for the same silence.
    await page.waitForTimeout(2_500);
    await page.goto(server.url + '/admin/mail');
    await expect(page.getByRole('link', { name: /No public update for .*: Silent queue/ })).toHaveCount(1);

    // Staff change the cadence on the incident page: out of range is refused with the typed value kept.
    await page.goto(`${server.url}/admin/incidents/${incidentId}`);
    const minutes = page.getByLabel(/Minutes between public updates/);
    await expect(minutes).toHaveValue('60');
    await minutes.fill('4');
    await page.getByRole('button', { name: 'Save cadence' }).click();
    await expect(page.locator('#minutes-error')).toHaveText('Give a whole number of minutes from 5 to 1440.');
    await expect(minutes).toHaveValue('4');
    await minutes.fill('180');
    await page.getByRole('button', { name: 'Save cadence' }).click();
    await page.waitForURL(/done=cadence/);
    await expect(page.getByLabel(/Minutes between public updates/)).toHaveValue('180');
    await page.goto(server.url + '/admin');
    await expect(item).toHaveAttribute('data-overdue', 'false');
    await expect(item).toContainText('Update cadence: every 180 min');
    await page.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    for (const width of [1280, 360]) {
      test(`the dashboard and the incident page pass axe in the ${colorScheme} scheme at ${width} px, in both languages`, async () => {
        const context = await browser.newContext({ colorScheme, viewport: { width, height: 900 }, bypassCSP: true });
        const page = await context.newPage();
        await signInAsDemoAdmin(page, server);
        for (const locale of ['en', 'ja'] as const) {
          const prefix = locale === 'ja' ? '/ja' : '';
          for (const [name, path] of [
            ['admin-dashboard', '/admin'],
            ['admin-incident-cadence', `/admin/incidents/${overdueId}`],
          ] as const) {
            await page.goto(server.url + prefix + path);
            expect(await axeViolations(page, [...WCAG_AA, 'wcag22aa']), `${prefix}${path} ${colorScheme} ${width}px`).toEqual([]);
            await page.screenshot({ path: `${SHOTS}/${name}-${locale}-${colorScheme}-${width}.png`, fullPage: true });
            const part = page.locator(name === 'admin-dashboard' ? 'section[aria-labelledby="open-incidents-heading"]' : 'section[aria-labelledby="cadence-heading"]');
            await part.screenshot({ path: `${SHOTS}/${name}-part-${locale}-${colorScheme}-${width}.png` });
          }
        }
        await context.close();
      });
    }
  }
});

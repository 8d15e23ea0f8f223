import { openDatabase } from '../../db/open';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { WCAG_AA } from '../support/browser-checks';
import { AUDIT, expect, sweep, test } from './fixtures';

let incidentId: string;
let overdueId: string;

test.beforeAll(async ({ server }) => {
  // The shared server checks the cadence every second (every minute by default), on its real timer.
  const db = openDatabase(server.databasePath);
  // Customers last heard about this one two hours ago, with the default 60-minute cadence.
  const now = Date.now();
  ({ incidentId } = openIncident(
    db,
    { name: 'Silent queue', status: 'investigating', body: 'Jobs are not being picked up.', notify: false, displayAt: now - 2 * 3_600_000 },
    { now },
  ));
  // One that stays overdue, for the screenshots.
  ({ incidentId: overdueId } = openIncident(
    db,
    { name: 'Stalled exports', status: 'identified', body: 'Exports wait in a queue.', notify: false, displayAt: now - 95 * 60_000 },
    { now },
  ));
  db.$client.close();
});

test.describe('update cadence', () => {
  test('a missed cadence is marked on the dashboard, the reminder reaches the admin, and a longer cadence clears the mark', async ({ server, staffPage }) => {
    const page = await staffPage();
    await page.goto(server.url + '/admin');
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
  });

  test('the dashboard refreshes itself: an incident that falls overdue while it is open is marked without a reload', async ({ server, staffPage }) => {
    const page = await staffPage();
    await page.goto(server.url + '/admin');
    await page.evaluate(() => ((window as Window & { marker?: string }).marker = 'same document'));
    // Customers last heard 59 min and 55 s ago, with a 60-minute cadence: on time now (the dashboard refreshes every 2 s here), overdue in five seconds.
    const db = openDatabase(server.databasePath);
    const now = Date.now();
    const { incidentId: soon } = openIncident(
      db,
      { name: 'Queue about to fall silent', status: 'investigating', body: 'Jobs wait.', notify: false, displayAt: now - 3_595_000 },
      { now },
    );
    db.$client.close();
    const item = page.locator(`li[data-incident="${soon}"]`);
    await expect(item.getByRole('link', { name: 'Queue about to fall silent' })).toBeVisible({ timeout: 10_000 });
    await expect(item).toHaveAttribute('data-overdue', 'true', { timeout: 20_000 });
    expect(await page.evaluate(() => (window as Window & { marker?: string }).marker)).toBe('same document');
  });

  test('the dashboard with an overdue incident and the incident’s cadence form pass axe (WCAG 2.2 too), light and dark, and fit a 360 px screen', async ({
    browser,
    server,
    adminState,
  }) => {
    test.setTimeout(AUDIT ? 180_000 : 60_000);
    await sweep(
      browser,
      [
        { name: 'dashboard-overdue', path: '/admin', japanese: true },
        { name: 'incident-cadence', path: `/admin/incidents/${overdueId}` },
      ],
      { server, storageState: adminState, tags: [...WCAG_AA, 'wcag22aa'], prefix: 'admin' },
    );
  });
});

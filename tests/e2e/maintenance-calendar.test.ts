import { readFileSync } from 'node:fs';
import { axeViolations } from '../support/browser-checks';
import { parseCalendar } from '../support/calendar';
import { AUDIT, expect, SHOTS, sweep, test } from './fixtures';

test.describe('a customer planning around maintenance', () => {
  test('opens an upcoming window from the status page and adds it to a calendar', async ({ browser, server }) => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(server.url + '/');
    await page.getByRole('link', { name: 'Cache cluster replacement' }).first().click();
    await page.waitForURL(/\/incidents\/[a-z0-9]{12}$/);
    const id = page.url().split('/').pop()!;
    const add = page.getByRole('link', { name: 'Add to calendar' });
    await expect(add).toHaveAttribute('href', `/incidents/${id}.ics`);
    await expect(page.getByRole('link', { name: 'Maintenance calendar' })).toHaveAttribute('href', '/maintenance.ics');
    const [download] = await Promise.all([page.waitForEvent('download'), add.click()]);
    expect(download.suggestedFilename()).toBe(`${id}.ics`);
    const { events } = parseCalendar(readFileSync((await download.path())!, 'utf8'));
    expect(events).toHaveLength(1);
    expect(events[0]!.summary).toBe('Cache cluster replacement');
    expect(events[0]!.status).toBe('CONFIRMED');
    await context.close();
  });

  test('staff schedule a weekly window from the form and rename the upcoming ones from any of them', async ({ server, staffPage }) => {
    const page = await staffPage();
    await page.goto(server.url + '/admin/maintenance/new');
    await page.getByLabel('Name', { exact: true }).fill('Weekly database patching');
    await page.getByLabel(/^Starts/).fill('2030-01-05T01:00');
    await page.getByLabel(/^Ends/).fill('2030-01-05T02:00');
    await page.getByLabel('How often').selectOption('weekly');
    await page.getByLabel('Number of windows').fill('3');
    await page.locator('textarea[name="body"]').fill('Patches, with a restart of each replica in turn.');
    if (AUDIT) await page.screenshot({ path: `${SHOTS}/admin-maintenance-repeat-form.png`, fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Schedule maintenance' }).click();
    await page.waitForURL(/\/admin\/incidents\/[a-z0-9]{12}\?done=scheduled$/);
    const box = page.locator('.series');
    await expect(box).toContainText('repeating series of 3');
    await box.getByLabel('Name').fill('Weekly database patching (v2)');
    await box.getByRole('button', { name: 'Rename upcoming windows' }).click();
    await expect(page.getByText('The upcoming windows were changed.')).toBeVisible();
    if (AUDIT) {
      await page.screenshot({ path: `${SHOTS}/admin-maintenance-series.png`, fullPage: true });
      await box.screenshot({ path: `${SHOTS}/admin-maintenance-series-box.png` });
    }
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(server.url + '/');
    await expect(page.getByRole('link', { name: 'Weekly database patching (v2)' })).not.toHaveCount(0);
  });

  test('an upcoming window with "Add to calendar" passes axe, light and dark, and fits a 360 px screen', async ({ browser, server }) => {
    test.setTimeout(AUDIT ? 240_000 : 60_000);
    const home = await (await fetch(server.url + '/')).text();
    const id = /href="\/incidents\/([a-z0-9]{12})"[^>]*>Cache cluster replacement/.exec(home)![1]!;
    await sweep(browser, [{ name: 'upcoming', path: `/incidents/${id}`, japanese: true }], {
      server,
      prefix: 'maintenance',
      check: async (page, _look, where) => {
        await expect(page.locator('.calendar-links a').first(), where).toBeVisible();
      },
    });
  });
});

import { axeViolations, tokyoLocal } from '../support/browser-checks';
import { expect, test } from './fixtures';

// The whole staff side of an outage in one run: a draft while facts are
// gathered, published with a notification, a missed cadence that reminds
// staff, an update from a template, and the resolution.
// The shared server checks the cadence every second, so a missed one is noticed while the test watches.
test('an outage from draft to resolution: publish, miss the cadence and be reminded, update from a template, resolve', async ({ server, staffPage }) => {
  const page = await staffPage();
  const context = page.context();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const checked: string[] = [];
  const axe = async (what: string) => {
    expect(await axeViolations(page), what).toEqual([]);
    checked.push(what);
  };

  await page.goto(server.url + '/admin/templates');
  await page.getByLabel('Name', { exact: true }).fill('Recovering');
  await page.locator('#tpl-status').selectOption('monitoring');
  await page.getByLabel('Message', { exact: true }).fill('{{components}} are recovering; we are watching closely.');
  await page.getByLabel('Message (日本語)').fill('{{components}} は回復に向かっています。注意して見ています。');
  await page.getByRole('button', { name: 'Save template' }).click();
  await page.waitForURL(/done=saved/);
  await axe('templates');

  // The draft: written while the cause is unclear, seen by nobody outside.
  await page.goto(server.url + '/admin/incidents/new');
  await page.getByLabel('Name', { exact: true }).fill('Boards time out');
  await page.getByLabel(/Web app/).selectOption('major_outage');
  await page.getByLabel('Message', { exact: true }).fill('Boards do not open for most teams. We are looking into it.');
  await page.getByLabel('Shown at (Asia/Tokyo)').fill(tokyoLocal(90));
  await page.getByRole('button', { name: 'Save as draft' }).click();
  await page.waitForURL(/done=drafted/);
  await axe('draft form');
  const outside = await context.newPage();
  await outside.goto(server.url + '/');
  await expect(outside.getByText('Boards time out')).toHaveCount(0);

  await page.goto(server.url + '/admin');
  await page.getByRole('region', { name: 'Drafts' }).getByRole('link', { name: 'Boards time out' }).click();
  await expect(page.getByLabel('Notify subscribers')).toBeChecked();
  await page.getByRole('button', { name: 'Publish incident' }).click();
  await page.waitForURL(/\/admin\/incidents\/[a-z0-9]{12}\?done=opened/);
  const incidentId = new URL(page.url()).pathname.split('/').pop()!;
  await outside.goto(server.url + '/');
  await expect(outside.getByText('Boards time out').first()).toBeVisible();

  // Its first update is 90 minutes old: the 60-minute cadence has passed.
  await page.goto(server.url + '/admin');
  const clock = page.locator(`li[data-incident="${incidentId}"]`);
  await expect(clock).toHaveAttribute('data-overdue', 'true');
  await expect(clock).toContainText(/Customers last heard from us 1 h 3\d min ago/);
  await axe('dashboard, overdue');
  await expect
    .poll(async () => {
      await page.goto(server.url + '/admin/mail');
      return page.getByRole('link', { name: /No public update for .*: Boards time out/ }).count();
    })
    .toBe(1);

  // The update from the template: both languages filled, the components named.
  await page.goto(`${server.url}/admin/incidents/${incidentId}`);
  await page.getByLabel('Start from a template').selectOption({ label: 'Recovering' });
  await expect(page.locator('#field-body')).toHaveValue('Web app are recovering; we are watching closely.');
  await expect(page.locator('#body-ja')).toHaveValue('Web アプリ は回復に向かっています。注意して見ています。');
  await axe('incident page with a template applied');
  await page.getByRole('button', { name: 'Post update' }).click();
  await page.waitForURL(/done=posted/);
  await page.goto(server.url + '/admin');
  await expect(clock).toHaveAttribute('data-overdue', 'false');

  await page.goto(`${server.url}/admin/incidents/${incidentId}`);
  await page.getByRole('button', { name: 'Resolve incident' }).click();
  await page.waitForURL(/done=resolved/);
  await outside.goto(`${server.url}/incidents/${incidentId}`);
  const statuses = await outside.locator('.timeline .update .update-meta strong').allTextContents();
  expect(statuses).toEqual(['Resolved', 'Monitoring', 'Investigating']);
  await page.goto(server.url + '/admin');
  await expect(page.locator(`li[data-incident="${incidentId}"]`)).toHaveCount(0);
  expect(checked).toHaveLength(4);
  expect(errors).toEqual([]);
});

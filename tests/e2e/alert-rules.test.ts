import { openDatabase } from '../../db/open';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { WCAG_AA } from '../support/browser-checks';
import { AUDIT, expect, SHOTS, sweep, test } from './fixtures';

test.beforeAll(async ({ server }) => {
  const db = openDatabase(server.databasePath);
  // Two alert groups, one the demo rule takes and one no rule matches, so the screen has something to list.
  const { token } = createApiToken(db, { name: 'alert sender', scopes: ['alerts'] }, { now: Date.now() });
  db.$client.close();
  const started = new Date(Date.now() - 600_000).toISOString();
  for (const body of [
    { id: 'api-5xx', status: 'firing', title: 'APIErrorRate', summary: 'Half of API requests fail', labels: { service: 'api' }, started_at: started },
    { id: 'disk-db2', status: 'firing', title: 'DiskAlmostFull', summary: 'db-2 has 3% free', labels: { host: 'db-2' }, started_at: started },
  ]) {
    const res = await fetch(`${server.url}/api/v1/integrations/webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  }
});

test.describe('alert rules', () => {
  test('an admin writes a rule, is told plainly what to fix with nothing lost, saves it, and tries labels against it', async ({ server, staffPage }) => {
    const page = await staffPage();
    await page.goto(server.url + '/admin');
    await page.getByRole('link', { name: 'Alerts' }).click();
    await expect(page.getByRole('heading', { name: 'Alerts', level: 1 })).toBeVisible();
    await expect(page.locator('table.alert-groups')).toContainText('APIErrorRate');
    await expect(page.locator('table.alert-groups')).toContainText('No rule');

    await page.getByLabel('Rule name').fill('Sign-in failures');
    await page.getByLabel('Matchers, one a line').fill('service="login"\nseverity=critical page');
    await page.getByLabel('Sign-in', { exact: true }).selectOption('partial_outage');
    await page.getByLabel('Publish: the incident opens at once').check();
    await page.locator('#rule-en-body').fill('People cannot sign in since {{start}}.');
    await page.getByRole('button', { name: 'Save rule' }).click();
    // The answer opens at the form, where each field says what is wrong; the summary above lists it all.
    await expect(page).toHaveURL(/\/admin\/alerts#rule-form$/);
    await expect(page.locator('#rule-matchers-error')).toBeInViewport();
    const summary = page.locator('.error-summary');
    await expect(summary).toContainText('The alert rule was not saved');
    await expect(summary).toContainText('Matchers: severity=critical page is not a matcher.');
    await expect(summary).toContainText('First update (English): Unknown variables: {{start}}.');
    await expect(page.getByLabel('Rule name')).toHaveValue('Sign-in failures');
    await expect(page.getByLabel('Sign-in', { exact: true })).toHaveValue('partial_outage');
    await expect(page.getByLabel('Publish: the incident opens at once')).toBeChecked();
    if (AUDIT) await page.screenshot({ path: `${SHOTS}/admin-alerts-refused-en-light-1280.png`, fullPage: true });

    await page.getByLabel('Matchers, one a line').fill('service="login"\nseverity=~"critical|page"');
    await page.locator('#rule-en-body').fill('People cannot sign in since {{started_at}}.');
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.waitForURL(/done=saved/);
    await expect(page.locator('.rule-list > li')).toHaveCount(2);
    await expect(page.locator('.rule-list > li').nth(1)).toContainText('Rule 2 · Sign-in failures');

    await page.getByRole('button', { name: 'Move up: “Sign-in failures”' }).click();
    await page.waitForURL(/done=saved/);
    await expect(page.locator('.rule-list > li').first()).toContainText('Rule 1 · Sign-in failures');

    await page.getByLabel('Labels').fill('alertname=LoginErrors\nservice=login\nseverity=page');
    await page.getByRole('button', { name: 'Find the rule' }).click();
    await expect(page.locator('[data-trial]')).toHaveText('Rule 1, “Sign-in failures”, would take this alert.');
  });

  test('the alerts screen and the users’ on-call column pass axe (WCAG 2.2 too), light and dark, and fit a 360 px screen', async ({
    browser,
    server,
    adminState,
  }) => {
    test.setTimeout(AUDIT ? 180_000 : 60_000);
    // Nothing but a table's own scroller is wider than the screen.
    await sweep(
      browser,
      [
        { name: 'alerts', path: '/admin/alerts', japanese: true },
        { name: 'users-on-call', path: '/admin/users' },
      ],
      { server, storageState: adminState, tags: [...WCAG_AA, 'wcag22aa'], prefix: 'admin' },
    );
  });
});

import { AUDIT, expect, sweep, test } from './fixtures';

test.describe('a customer following one component', () => {
  test('goes from the status page to a component page, then narrows the history to it with the filter form', async ({ page, server }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(server.url + '/');
    const row = page.locator('.component').filter({ hasText: 'API' });
    // Other tests on this server may have an incident open on the API: the component page says what the status page says.
    const shown = (await row.locator('.status').first().getAttribute('data-status'))!;
    await row.getByRole('link', { name: 'API', exact: true }).click();
    await page.waitForURL(/\/components\/[a-z0-9]{12}$/);
    const componentUrl = page.url();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('API');
    await expect(page.getByText('Current status:').locator('.status')).toHaveAttribute('data-status', shown);
    await expect(page.locator('.uptime-strip li')).toHaveCount(90);
    await expect(page.locator('.monthly-uptime tbody tr')).toHaveCount(12);
    await expect(page.getByRole('link', { name: 'RSS feed for this component' })).toHaveAttribute('href', /^\/feed\/[a-z0-9]{12}\.rss$/);

    // Its incidents link to their pages.
    await page.getByRole('link', { name: 'API unavailable' }).click();
    await page.waitForURL(/\/incidents\/[a-z0-9]{12}$/);
    await page.goBack();

    await page.getByRole('link', { name: /in the incident history/ }).click();
    await page.waitForURL(/\/history\?component=[a-z0-9]{12}$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Incident history: API');
    await expect(page.getByLabel('Component')).toHaveValue(componentUrl.split('/').pop()!);
    await expect(page.locator('.history-item')).not.toHaveCount(0);
    expect(await page.locator('.history-item a').allTextContents()).not.toContain('File uploads failing');

    // The form is plain HTML: a GET with the select and the search box.
    await page.getByLabel('Search incident names and updates').fill('unavailable');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.waitForURL(/\/history\?component=[a-z0-9]{12}&q=unavailable$/);
    // Names and update texts both count: the June 18 outage's updates say the API was unavailable too.
    const found = await page.locator('.history-item > a:first-child').allTextContents();
    expect(found).toContain('API unavailable');
    expect(found).toContain('Service unavailable after the renewal release');
    expect(found).not.toContain('Push notifications delayed on Android');
    await expect(page.getByText(`${found.length} incidents and maintenance windows match.`)).toBeVisible();
    expect(found.length).toBeGreaterThan(1);

    await page.getByLabel('Search incident names and updates').fill('nothing like this');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await expect(page.getByText('No incidents or maintenance match this filter.')).toBeVisible();

    await page.getByLabel('Component').selectOption({ label: 'All components' });
    await page.getByLabel('Search incident names and updates').fill('');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Incident history');
    expect(errors).toEqual([]);
  });

  test('the component page and the filtered history pass axe, light and dark, and fit a 360 px screen', async ({ browser, server }) => {
    test.setTimeout(AUDIT ? 300_000 : 60_000);
    const home = await (await fetch(server.url + '/')).text();
    const api = /<a class="component-name" href="\/components\/([a-z0-9]{12})">API<\/a>/.exec(home)![1]!;
    await sweep(
      browser,
      [
        // The component page itself is in accessibility.test.ts.
        { name: 'component-api', path: `/components/${api}`, auditOnly: true },
        { name: 'history-filtered', path: `/history?component=${api}&q=api`, japanese: true },
      ],
      { server, prefix: 'component' },
    );
  });
});

import { expect, test, type Browser } from '@playwright/test';
import { axeViolations, SHOTS } from '../support/browser-checks';
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

test.describe('a customer following one component', () => {
  test('goes from the status page to a component page, then narrows the history to it with the filter form', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(server.url + '/');
    await page.locator('.component').filter({ hasText: 'API' }).getByRole('link', { name: 'API', exact: true }).click();
    await page.waitForURL(/\/components\/[a-z0-9]{12}$/);
    const componentUrl = page.url();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('API');
    await expect(page.getByText('Current status:')).toContainText('Operational');
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
    await page.close();
  });

  test('reads the component page and the filtered history at 1280 and 360 px, in both languages and colour schemes', async () => {
    // Sixteen full-page screenshots and eight audits on two shared cores.
    test.setTimeout(300_000);
    const home = await (await fetch(server.url + '/')).text();
    const api = /<a class="component-name" href="\/components\/([a-z0-9]{12})">API<\/a>/.exec(home)![1]!;
    const pages = [
      ['component', `/components/${api}`],
      ['history-filtered', `/history?component=${api}&q=api`],
    ] as const;
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const width of [1280, 360]) {
        const context = await browser.newContext({ colorScheme, viewport: { width, height: 900 }, bypassCSP: true });
        const page = await context.newPage();
        for (const locale of ['en', 'ja']) {
          for (const [name, path] of pages) {
            const where = `${locale}${path} ${colorScheme} ${width}px`;
            await page.goto(`${server.url}/${locale}${path}`);
            const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
            expect(scrollWidth, `${where} is wider than the screen`).toBeLessThanOrEqual(clientWidth);
            await page.screenshot({ path: `${SHOTS}/${name}-${locale}-${colorScheme}-${width}.png`, fullPage: true });
            if (width === 1280) expect(await axeViolations(page), where).toEqual([]);
          }
        }
        await context.close();
      }
    }
  });
});

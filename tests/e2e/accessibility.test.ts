import { WCAG_AA } from '../support/browser-checks';
import { AUDIT, expect, sweep, test } from './fixtures';

let componentId = '';
test.beforeAll(async ({ server }) => {
  // A component, not a group: groups have no page of their own.
  const components = (await (await fetch(server.url + '/api/v2/components.json')).json()) as { components: { id: string; group: boolean }[] };
  componentId = components.components.find((c) => !c.group)!.id;
});

/** Every kind of public page a reader can land on; the component's id is the demo's first, read from the API. */
const PAGES = [
  ['status', '/'],
  ['history', '/history'],
  ['history-search', '/history?q=renewal'],
  ['incident', '/incidents/jun18renewal'],
  ['maintenance', '/incidents/jun17mainten'],
  ['postmortems', '/postmortems'],
  ['postmortem', '/postmortems/renewal-outage'],
  ['commitments', '/commitments'],
  ['component', '/components/{component}'],
  ['uptime', '/uptime?from=2018-06-01&to=2018-06-30'],
  // A report of one component opens its calendars, which the whole report keeps closed.
  ['uptime-component', '/uptime?from=2018-06-01&to=2018-06-30&component={component}'],
  ['api', '/api'],
  ['subscribe', '/subscribe'],
  ['unsubscribe', '/unsubscribe?token=not-a-real-token'],
  ['embed', '/embed'],
  ['not-found', '/no-such-page'],
] as const;
/** Checked in Japanese in a pull request's run too: the pages with the most text of their own. */
const JAPANESE = new Set(['status', 'incident', 'postmortem', 'subscribe']);

/** Every kind of staff screen, signed in as the demo admin. */
const ADMIN_PAGES = [
  ['dashboard', '/admin'],
  ['incident-new', '/admin/incidents/new'],
  ['incident-edit', '/admin/incidents/jun18renewal'],
  ['maintenance-new', '/admin/maintenance/new'],
  ['components', '/admin/components'],
  ['uptime', '/admin/uptime'],
  ['postmortems', '/admin/postmortems'],
  ['postmortem-edit', '/admin/postmortems/edit?file=2018-06-22-renewal-outage.md'],
  ['subscribers', '/admin/subscribers'],
  ['templates', '/admin/templates'],
  ['audit', '/admin/audit'],
  ['tokens', '/admin/tokens'],
  ['users', '/admin/users'],
  ['pages', '/admin/pages'],
  ['account', '/admin/account'],
  ['two-factor', '/admin/account/two-factor'],
  ['embed', '/admin/embed'],
  ['settings', '/admin/settings'],
] as const;
const ADMIN_JAPANESE = new Set(['dashboard', 'incident-edit']);

const pathOf = (path: string) => path.replace('{component}', componentId);

test.describe('accessibility', () => {
  for (const [name, path] of PAGES) {
    test(`the ${name} page passes axe (WCAG 2.2 too), light and dark, and fits a 360 px screen`, async ({ browser, server }) => {
      test.setTimeout(AUDIT ? 180_000 : 60_000);
      await sweep(browser, [{ name, path: pathOf(path), japanese: JAPANESE.has(name) }], {
        server,
        // WCAG 2.2 too (target sizes among it): readers come on phones.
        tags: [...WCAG_AA, 'wcag22aa'],
        prefix: 'page',
        check: async (page, look, where) => {
          expect(await page.getAttribute('html', 'lang'), where).toBe(look.locale);
          if (name !== 'embed') await expect(page.getByRole('heading', { level: 1 }).first(), where).toBeInViewport();
          if (name === 'status') await expect(page.locator('.banner'), where).toBeInViewport();
        },
      });
    });
  }

  for (const [name, path] of ADMIN_PAGES) {
    test(`the admin ${name} screen passes axe, light and dark, and fits a 360 px screen`, async ({ browser, server, adminState }) => {
      test.setTimeout(AUDIT ? 180_000 : 60_000);
      await sweep(browser, [{ name, path, japanese: ADMIN_JAPANESE.has(name) }], { server, storageState: adminState, prefix: 'admin' });
    });
  }

  test('the sign-in page and setting up two-factor sign-in pass axe, light and dark, and fit a 360 px screen', async ({ browser, server, adminState }) => {
    test.setTimeout(AUDIT ? 180_000 : 60_000);
    await sweep(browser, [{ name: 'login', path: '/admin/login' }], { server, prefix: 'admin' });
    // The QR code, the key and the code field (nothing changes at sign-in until a code confirms it).
    await sweep(browser, [{ name: 'two-factor-setup', path: '/admin/account/two-factor' }], {
      server,
      storageState: adminState,
      prefix: 'admin',
      prepare: async (page) => {
        // Started once, the set-up stays pending on the account: later looks find it open.
        if ((await page.locator('#code').count()) === 0) await page.locator('form:has(input[name="intent"][value="start"]) button').click();
        await page.locator('#code').waitFor();
      },
    });
  });

  test('lets a keyboard reach the uptime strip and read a day', async ({ page, server }) => {
    await page.goto(server.url + '/en/');
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.classList.contains('cell'))) break;
    }
    expect(await page.evaluate(() => document.activeElement?.classList.contains('cell'))).toBe(true);
    // The day's words show in the sheet under its strip.
    const detail = page.locator('.uptime:has(.cell:focus) .day-sheet');
    expect(await detail.isVisible()).toBe(true);
    expect(await detail.textContent()).toMatch(/uptime|No data|no data/);
    await page.close();
  });

  test('lets a keyboard move through a month of the uptime report and read each day', async ({ page, server }) => {
    await page.goto(server.url + '/en/uptime?from=2018-06-01&to=2018-06-30&component=' + componentId);
    // One tab stop per month: the first day shown.
    await page.locator('.uptime-calendar td[data-day="2018-06-01"]').focus();
    expect(await page.locator('.uptime-calendar td[tabindex="0"]').count()).toBe(1);
    // June 1, 2018 was a Friday: down a week twice and right three days is the 18th.
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowRight', 'ArrowRight', 'ArrowRight']) await page.keyboard.press(key);
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.day)).toBe('2018-06-18');
    await expect(page.locator('.uptime-day-line')).toHaveText(/^2018-06-18: .*% uptime, 15 h 30 min down/);
    await page.keyboard.press('End');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.day)).toBe('2018-06-30');
    await page.close();
  });

  test('switches the times to the reader’s own zone and back', async ({ browser, server }) => {
    const local = await browser.newContext({ timezoneId: 'Europe/Paris' });
    const page = await local.newPage();
    await page.goto(server.url + '/en/incidents/jun18renewal');
    const earliest = page.locator('.timeline time').last();
    expect((await earliest.textContent())?.trim()).toBe('07:00');
    await page.getByRole('button', { name: 'Show times in my time zone' }).click();
    expect((await earliest.textContent())?.trim()).toBe('00:00');
    expect(await page.locator('[data-time-zone]').textContent()).toContain('Europe/Paris');
    await page.getByRole('button', { name: 'Show times in Asia/Tokyo' }).click();
    expect((await earliest.textContent())?.trim()).toBe('07:00');
    await local.close();
  });
});

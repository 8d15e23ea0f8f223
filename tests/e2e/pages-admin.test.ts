import { AUDIT, expect, sweep, test } from './fixtures';

test.describe('status pages', () => {
  test('an admin adds a page from the menu, then changes its host names, a refused one kept for fixing', async ({ server, staffPage }) => {
    const page = await staffPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const slug = `partners-${Date.now().toString(36)}`;
    await page.goto(server.url + '/admin');
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Status pages' }).click();
    await page.waitForURL(/\/admin\/pages$/);

    const add = page.getByRole('region', { name: 'Add a status page' });
    await add.getByLabel('Name readers see').fill('Partner API');
    await add.getByLabel('Short name').fill(slug);
    await add.getByLabel('Host names, one a line').fill(`status.${slug}.example.com`);
    await add.getByLabel('API', { exact: true }).check();
    await add.getByRole('button', { name: 'Add page' }).click();
    await page.waitForURL(/\/admin\/pages\?done=pageAdded$/);
    await expect(page.getByRole('status')).toHaveText('Status page added.');

    const item = page.locator(`li[data-page="${slug}"]`);
    await expect(item.locator('[data-hosts]')).toHaveText(`Host names: status.${slug}.example.com`);
    await expect(item.locator('[data-component-count]')).toHaveText('Components: 1');
    await item.getByText('Change or remove').click();
    const hosts = item.getByLabel('Host names, one a line');
    await hosts.fill(`status.${slug}.example.com\nhttps://api.${slug}.example.com`);
    await item.getByRole('button', { name: 'Save page' }).click();
    // Refused: the form is open again with what was typed and what to fix.
    const refused = page.locator(`li[data-page="${slug}"]`);
    await expect(refused.locator('.field-error')).toHaveText(
      `“https://api.${slug}.example.com” is not a host name: give one such as status.example.com, without https:// or a port.`,
    );
    await expect(refused.getByLabel('Host names, one a line')).toHaveValue(`status.${slug}.example.com\nhttps://api.${slug}.example.com`);
    await refused.getByLabel('Host names, one a line').fill(`status.${slug}.example.com\napi.${slug}.example.com`);
    await refused.getByRole('button', { name: 'Save page' }).click();
    await page.waitForURL(/\/admin\/pages\?done=saved$/);
    await expect(page.locator(`li[data-page="${slug}"] [data-hosts]`)).toHaveText(`Host names: api.${slug}.example.com, status.${slug}.example.com`);
    expect(errors).toEqual([]);
  });

  test('the screen with every page open for changes passes axe, light and dark, and fits a 360 px screen', async ({ browser, server, adminState }) => {
    test.setTimeout(AUDIT ? 180_000 : 60_000);
    // The screen as it opens is in accessibility.test.ts; here each page's form is open, in both languages.
    await sweep(browser, [{ name: 'pages-open', path: '/admin/pages', japanese: true }], {
      server,
      storageState: adminState,
      prefix: 'admin',
      prepare: async (page) => {
        await page.locator('details').evaluateAll((all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));
      },
    });
  });
});

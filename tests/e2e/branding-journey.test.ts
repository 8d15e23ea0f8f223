import type { Browser } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SHOTS, signInAsDemoAdmin } from '../support/browser-checks';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { solidPng } from '../support/images';
import { AUDIT, expect, sweep, test } from './fixtures';

let server: ServerProcess;
let browser: Browser;

test.beforeAll(async ({ browser: shared }) => {
  browser = shared;
  // A server of its own: the accent colour, logo and footer are the whole site's, and would show on every other test's pages.
  server = await startServerProcess();
});
test.afterAll(async () => {
  await server?.stop();
});

/** A page on another loopback port (another origin) that frames the embed and the front page and includes the script. */
async function hostSite(statusUrl: string): Promise<{ url: string; server: Server }> {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head><body>
<h1>Another site</h1>
<p id="indicator">Our status: <script src="${statusUrl}/embed.js" async></script></p>
<iframe id="embed" title="Status" src="${statusUrl}/embed" width="360" height="180"></iframe>
<iframe id="front" title="Front page" src="${statusUrl}/" width="360" height="180"></iframe>
</body></html>`;
  const host = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(host.address() as AddressInfo).port}/`, server: host };
}

test.describe('branding and the embed', () => {
  test('an admin sets the accent colour and logo, and the status page shows them', async () => {
    const page = await browser.newPage();
    await signInAsDemoAdmin(page, server);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(/\/admin\/settings$/);

    // A colour white text cannot be read on is refused, and what was typed stays.
    await page.getByLabel('Accent colour', { exact: true }).fill('#ffd400');
    await page.getByLabel('Footer text (English)').fill('Fusen, Inc.');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.locator('#accentColor-error')).toContainText('White text on #ffd400 has a contrast of');
    await expect(page.getByLabel('Accent colour', { exact: true })).toHaveValue('#ffd400');
    await expect(page.getByLabel('Footer text (English)')).toHaveValue('Fusen, Inc.');

    await page.getByLabel('Accent colour', { exact: true }).fill('#0b5cad');
    await page.getByLabel('Accent colour in dark mode').fill('#7cb8ff');
    await page.getByLabel('Link back to your main site').fill('https://fusen.example/');
    await page.getByLabel('Support link').fill('https://fusen.example/support');
    await page.getByLabel('Footer text (Japanese)').fill('株式会社ふせん');
    await page.getByLabel('Logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: solidPng('#f2c94c', 64) });
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL(/\/admin\/settings\?done=saved$/);
    await expect(page.getByRole('status')).toBeVisible();

    await page.goto(server.url + '/en/');
    const header = page.locator('header.site-header');
    await expect(header).toHaveClass(/accented/);
    expect(await header.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(11, 92, 173)');
    const logo = page.locator('img.brand-logo');
    await expect(logo).toBeVisible();
    expect(await logo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
    await expect(page.getByRole('link', { name: 'Support' })).toHaveAttribute('href', 'https://fusen.example/support');
    await expect(page.locator('.footer-text')).toHaveText('Fusen, Inc.');
    await page.close();
  });

  test('the embed renders inside an iframe on another origin, the front page refuses to, and the script shows the status', async () => {
    const host = await hostSite(server.url);
    const page = await browser.newPage();
    const refusals: string[] = [];
    page.on('console', (message) => {
      if (/frame-ancestors|Refused to (display|frame)/i.test(message.text())) refusals.push(message.text());
    });
    try {
      await page.goto(host.url);
      const embed = page.frameLocator('#embed');
      await expect(embed.locator('h1.embed-status')).toBeVisible();
      await expect(embed.getByRole('link', { name: 'Open the status page' })).toBeVisible();
      // The front page names the frame-ancestors policy that stops it, and shows nothing of itself.
      await expect.poll(() => refusals.some((text) => text.includes(`${server.url}/`))).toBe(true);
      await expect(page.frameLocator('#front').locator('.banner')).toHaveCount(0);
      const indicator = page.locator('#indicator a.shirase-status');
      await expect(indicator).toHaveAttribute('data-indicator', /^(none|minor|major|critical|maintenance)$/);
      await expect(indicator).toHaveAttribute('href', `${server.url}/`);
      expect((await indicator.textContent())?.length).toBeGreaterThan(5);
      if (AUDIT) await page.screenshot({ path: `${SHOTS}/embed-host.png` });
    } finally {
      await page.close();
      await new Promise((r) => host.server.close(r));
    }
  });

  test('the branded status page, its embed and the settings page pass axe, light and dark, and fit a 360 px screen, fields inside their boxes', async () => {
    test.setTimeout(AUDIT ? 300_000 : 60_000);
    const context = await browser.newContext();
    await signInAsDemoAdmin(await context.newPage(), server);
    const storageState = await context.storageState();
    await context.close();
    await sweep(
      browser,
      [
        { name: 'status', path: '/', japanese: true },
        { name: 'embed', path: '/embed', auditOnly: true },
        { name: 'settings', path: '/admin/settings', japanese: true },
      ],
      {
        server,
        storageState,
        prefix: 'branded',
        tags: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'],
        check: async (page, _look, where, entry) => {
          if (entry.name !== 'settings') return;
          const spilling = await page.evaluate(() =>
            [...document.querySelectorAll('.settings-form fieldset')].flatMap((set) => {
              const edge = set.getBoundingClientRect().right;
              return [...set.querySelectorAll('input, select, textarea')]
                .filter((field) => field.getBoundingClientRect().right > edge)
                .map((field) => field.id || field.getAttribute('name'));
            }),
          );
          expect(spilling, `fields wider than their box on the settings page ${where}`).toEqual([]);
        },
      },
    );
  });
});

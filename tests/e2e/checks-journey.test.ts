import { expect, test, type Browser } from '@playwright/test';
import Database from 'better-sqlite3';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { axeViolations, SHOTS, signInAsDemoAdmin } from '../support/browser-checks';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { freePort } from '../support/test-server';

let server: ServerProcess;
let browser: Browser;
const HOUR = 3_600_000;

test.beforeAll(async ({ browser: shared }) => {
  browser = shared;
  server = await startServerProcess();
});
test.afterAll(async () => {
  await server?.stop();
});

/** Ninety days of hourly results for the demo's check, with a bad afternoon and a slow week, so the chart has something to show. */
function backfillDemoCheck(databasePath: string): string {
  const db = new Database(databasePath);
  try {
    const { id } = db.prepare("select id from checks where name = 'Status API'").get() as { id: string };
    const insert = db.prepare('insert into check_results (check_id, at, ok, ms, status_code, error) values (?, ?, ?, ?, ?, ?)');
    const now = Date.now();
    db.transaction(() => {
      for (let h = 90 * 24 - 1; h >= 1; h--) {
        const at = now - h * HOUR;
        const failed = h >= 40 * 24 && h < 40 * 24 + 5;
        const ms = Math.round(40 + 25 * Math.sin(h / 30) + (h >= 10 * 24 && h < 17 * 24 ? 120 : 0));
        insert.run(id, at, failed ? 0 : 1, failed ? null : ms, failed ? 503 : 200, failed ? JSON.stringify({ code: 'status', status: 503, expected: '200' }) : null);
      }
    })();
    return id;
  } finally {
    db.close();
  }
}

/** Two more checks beside the demo's, for the loop to probe: a port that refuses and a site whose certificate runs out in five days. */
function addChecks(databasePath: string, closedPort: number, httpsUrl: string): void {
  const db = new Database(databasePath);
  try {
    const now = Date.now();
    const insert = db.prepare('insert into checks (id, name, kind, target, interval_seconds, timeout_ms, expected_status, cert_warn_days, failures_before, labels, created_at, updated_at) values (?, ?, ?, ?, 30, 5000, ?, ?, 1, ?, ?, ?)');
    insert.run('queueport001', 'Queue port', 'tcp', `127.0.0.1:${closedPort}`, '200-399', null, '{"service":"queue"}', now, now);
    insert.run('billingsite1', 'Billing site', 'http', httpsUrl, '200', 14, '{}', now, now);
  } finally {
    db.close();
  }
}

test.describe('checks', () => {
  test('the demo check runs on its own; an admin adds a TCP check, sees it fail, and deletes it', async () => {
    const page = await browser.newPage();
    await signInAsDemoAdmin(page, server);
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Checks' }).click();
    await page.waitForURL(/\/admin\/checks$/);
    const demo = page.getByRole('row', { name: /Status API/ });
    await expect(demo).toContainText('/api/v2/status.json');
    // The loop runs a new check at once: the demo's first run shows without waiting a minute.
    await expect(async () => {
      await page.reload();
      await expect(page.getByRole('row', { name: /Status API/ })).toContainText('Up');
    }).toPass({ timeout: 15_000 });

    const closedPort = await freePort();
    await page.getByRole('link', { name: 'New check' }).click();
    await page.getByLabel('Name').fill('Queue port');
    await page.getByLabel('TCP').check();
    await page.getByLabel('URL or host:port').fill(`127.0.0.1:${closedPort}`);
    await page.getByLabel('Interval (seconds)').fill('10');
    await page.getByRole('button', { name: 'Add check' }).click();
    // Too short an interval is refused, and what was typed stays.
    await expect(page.locator('#intervalSeconds-error')).toContainText('from 30 to 86400');
    await expect(page.getByLabel('URL or host:port')).toHaveValue(`127.0.0.1:${closedPort}`);
    await page.getByLabel('Interval (seconds)').fill('30');
    await page.getByLabel('Failures in a row before the alert fires').fill('1');
    await page.getByLabel('Extra labels (optional)').fill('service=queue');
    await page.getByRole('button', { name: 'Add check' }).click();
    await page.waitForURL(/\/admin\/checks\/[0-9a-z]{12}\?done=checkAdded$/);
    await expect(async () => {
      await page.reload();
      await expect(page.locator('[data-last-error]')).toHaveText('The connection was refused');
    }).toPass({ timeout: 15_000 });
    await expect(page.locator('.check-facts')).toContainText('Down');
    await expect(page.locator('.check-facts')).toContainText('service=queue');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete check' }).click();
    await page.waitForURL(/\/admin\/checks\?done=checkDeleted$/);
    await expect(page.getByRole('row', { name: /Queue port/ })).toHaveCount(0);
    await page.close();
  });

  test('saves screenshots of the checks pages: 1280 and 360 px, English and Japanese, light and dark; they pass axe and fit the screen', async () => {
    test.setTimeout(300_000);
    const id = backfillDemoCheck(server.databasePath);
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], { notBeforeDate: new Date(Date.now() - 86_400_000), notAfterDate: new Date(Date.now() + 5 * 86_400_000), keySize: 2048 });
    const billing = createServer({ key: pems.private, cert: pems.cert }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => billing.listen(0, '127.0.0.1', r));
    addChecks(server.databasePath, await freePort(), `https://127.0.0.1:${(billing.address() as AddressInfo).port}/`);
    {
      // The loop probes both at once: the refused port is down after one failure, and the certificate's expiry is warned of.
      const page = await browser.newPage();
      await signInAsDemoAdmin(page, server);
      await expect(async () => {
        await page.goto(server.url + '/admin/checks');
        await expect(page.getByRole('row', { name: /Queue port/ })).toContainText('Down');
        await expect(page.getByRole('row', { name: /Billing site/ }).locator('[data-cert-warning]')).toContainText('Certificate expires');
      }).toPass({ timeout: 15_000 });
      await page.close();
    }
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const width of [1280, 360]) {
        const context = await browser.newContext({ colorScheme, viewport: { width, height: 900 }, bypassCSP: true });
        const page = await context.newPage();
        await signInAsDemoAdmin(page, server);
        for (const lang of ['en', 'ja'] as const) {
          const prefix = lang === 'ja' ? '/ja' : '';
          for (const [name, path] of [
            ['list', '/admin/checks'],
            ['detail', `/admin/checks/${id}`],
            ['detail-24h', `/admin/checks/${id}?range=24h`],
            ['new', '/admin/checks/new'],
          ] as const) {
            if (name === 'new' && colorScheme === 'dark' && width === 360) continue;
            await page.goto(server.url + prefix + path);
            if (name === 'detail') {
              await expect(page.locator(width === 360 ? '.chart-narrow svg' : '.chart-wide svg')).toBeVisible();
              await expect(page.locator('.chart-fail-fill').first()).toBeAttached();
              await expect(page.locator('.check-chart figcaption')).toContainText(lang === 'ja' ? '失敗' : 'failed');
            }
            expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
            await page.screenshot({ path: `${SHOTS}/checks-${name}-${lang}-${width}-${colorScheme}.png`, fullPage: true });
            expect(await axeViolations(page)).toEqual([]);
          }
        }
        await context.close();
      }
    }
    await new Promise((r) => billing.close(r));
  });
});

import Database from 'better-sqlite3';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { freePort } from '../support/test-server';
import { AUDIT, expect, sweep, test } from './fixtures';

const HOUR = 3_600_000;

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
        insert.run(
          id,
          at,
          failed ? 0 : 1,
          failed ? null : ms,
          failed ? 503 : 200,
          failed ? JSON.stringify({ code: 'status', status: 503, expected: '200' }) : null,
        );
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
    const insert = db.prepare(
      'insert into checks (id, name, kind, target, interval_seconds, timeout_ms, expected_status, cert_warn_days, failures_before, labels, created_at, updated_at) values (?, ?, ?, ?, 30, 5000, ?, ?, 1, ?, ?, ?)',
    );
    insert.run('queueport001', 'Queue port', 'tcp', `127.0.0.1:${closedPort}`, '200-399', null, '{"service":"queue"}', now, now);
    insert.run('billingsite1', 'Billing site', 'http', httpsUrl, '200', 14, '{}', now, now);
  } finally {
    db.close();
  }
}

test.describe('checks', () => {
  test('the demo check runs on its own; an admin adds a TCP check, sees it fail, and deletes it', async ({ server, staffPage }) => {
    const page = await staffPage();
    await page.goto(server.url + '/admin');
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
    await page.getByLabel('Name').fill('Queue port (added)');
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
    await expect(page.getByRole('row', { name: /Queue port \(added\)/ })).toHaveCount(0);
  });

  test('the checks list, a check with ninety days of results, and the new-check form pass axe, light and dark, and fit a 360 px screen', async ({
    browser,
    server,
    adminState,
    staffPage,
  }) => {
    test.setTimeout(AUDIT ? 300_000 : 90_000);
    const id = backfillDemoCheck(server.databasePath);
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      notBeforeDate: new Date(Date.now() - 86_400_000),
      notAfterDate: new Date(Date.now() + 5 * 86_400_000),
      keySize: 2048,
    });
    const billing = createServer({ key: pems.private, cert: pems.cert }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => billing.listen(0, '127.0.0.1', r));
    addChecks(server.databasePath, await freePort(), `https://127.0.0.1:${(billing.address() as AddressInfo).port}/`);
    {
      // The loop probes both at once: the refused port is down after one failure, and the certificate's expiry is warned of.
      const page = await staffPage();
      await expect(async () => {
        await page.goto(server.url + '/admin/checks');
        await expect(page.getByRole('row', { name: /Queue port/ })).toContainText('Down');
        await expect(page.getByRole('row', { name: /Billing site/ }).locator('[data-cert-warning]')).toContainText('Certificate expires');
      }).toPass({ timeout: 15_000 });
    }
    await sweep(
      browser,
      [
        { name: 'list', path: '/admin/checks' },
        { name: 'detail', path: `/admin/checks/${id}`, japanese: true },
        { name: 'detail-24h', path: `/admin/checks/${id}?range=24h`, auditOnly: true },
        { name: 'new', path: '/admin/checks/new' },
      ],
      {
        server,
        storageState: adminState,
        prefix: 'checks',
        check: async (page, look, where, entry) => {
          if (entry.name !== 'detail') return;
          await expect(page.locator(look.width === 360 ? '.chart-narrow svg' : '.chart-wide svg'), where).toBeVisible();
          await expect(page.locator('.chart-fail-fill').first(), where).toBeAttached();
          await expect(page.locator('.check-chart figcaption'), where).toContainText(look.locale === 'ja' ? '失敗' : 'failed');
        },
      },
    );
    await new Promise((r) => billing.close(r));
  });
});

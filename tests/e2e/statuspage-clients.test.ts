import { expect, test, type Browser } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { startTestSite, type TestSite } from '../support/test-server';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { loadComponentTree } from '../../src/lib/components/load-components';

const require = createRequire(import.meta.url);

let site: TestSite;
let browser: Browser;
let embedder: Server;
let embedderUrl: string;

test.beforeAll(async ({ browser: shared }) => {
  // One browser per worker, launched by Playwright with the options in playwright.config.ts.
  browser = shared;
  site = await startTestSite({ seed: true });
  // Another origin that embeds Atlassian's own status widget, as a customer's site would.
  const widget = readFileSync(require.resolve('@statuspage/status-widget/dist/index.js'));
  embedder = createServer((req, res) => {
    if (req.url === '/widget.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(widget);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><title>Embedder</title><script src="/widget.js"></script></head>
      <body><statuspage-widget src="${site.url}"></statuspage-widget>
      <statuspage-widget src="${site.url}" appearance="badge"></statuspage-widget></body></html>`);
  });
  await new Promise<void>((r) => embedder.listen(0, 'localhost', r));
  embedderUrl = `http://localhost:${(embedder.address() as AddressInfo).port}/`;
});

test.afterAll(async () => {
  embedder?.close();
  await site?.close();
});

test.describe('third-party Statuspage clients', () => {
  test('the statuspage.io npm client reads the summary, status, components and incidents', async () => {
    const { Statuspage } = require('statuspage.io') as typeof import('statuspage.io');
    const client = new Statuspage('shirasedemo1');
    // The client is built for Atlassian's hosts; point its HTTP client at ours.
    client.setApiUrl(site.url);
    const summary = await client.api.getSummary();
    expect(summary.status.description).toBe('All Systems Operational');
    expect(summary.components.some((c) => c.name === 'Web app')).toBe(true);
    const status = await client.api.getStatus();
    expect(status.status.indicator).toBe('none');
    const incidents = await client.api.incidents.getAll();
    expect(incidents.incidents.some((i) => i.name === 'Service unavailable after the renewal release')).toBe(true);
    const upcoming = await client.api.scheduledMaintenances.getUpcoming();
    // The demo's cache replacement and the eight windows of its weekly index rebuild.
    expect(upcoming.scheduled_maintenances.map((m) => m.name).sort()).toEqual(['Cache cluster replacement', ...Array(8).fill('Weekly search index rebuild')]);
  });

  test("Atlassian's status widget, embedded on another origin, shows the live status", async () => {
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') failures.push(m.text());
    });
    await page.goto(embedderUrl);
    const widget = page.locator('statuspage-widget').first();
    await expect(widget.getByText('All Systems Operational').first().waitFor({ timeout: 10_000 })).resolves.toBeUndefined();

    const web = loadComponentTree(site.db, Date.now()).all.find((c) => c.name === 'Web app')!;
    openIncident(
      site.db,
      { name: 'Boards fail to load', status: 'investigating', body: 'Looking into it.', components: [{ componentId: web.id, status: 'major_outage' }] },
      { now: Date.now() },
    );
    await site.server.checkForChanges();
    // The widget and the browser both cache for a short while; a new visitor asks again.
    const fresh = await browser.newContext();
    const later = await fresh.newPage();
    await later.goto(embedderUrl);
    await expect(later.locator('statuspage-widget').first().getByText('Major System Outage').first().waitFor({ timeout: 10_000 })).resolves.toBeUndefined();
    expect(failures.filter((f) => /CORS|Access-Control/i.test(f))).toEqual([]);
    await fresh.close();
    await page.close();
  });
});

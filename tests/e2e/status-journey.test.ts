import type { Browser } from '@playwright/test';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { openDatabase } from '../../db/open';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { expect, test } from './fixtures';

let server: ServerProcess;
let url: string;
let browser: Browser;

test.beforeAll(async ({ browser: shared, server: shared2 }) => {
  browser = shared;
  server = shared2;
  url = server.url;
});

test.describe('a customer checking the status page', () => {
  test('sees the banner and the components, then reads the June 18 timeline', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });

    await page.goto(url + '/');
    // Other tests on this server open incidents: the banner says what the site's status API says.
    const { status } = (await (await fetch(url + '/api/v2/status.json')).json()) as { status: { description: string } };
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(status.description);
    await expect(page.getByRole('heading', { name: 'Apps', exact: true }).isVisible()).resolves.toBe(true);
    for (const name of ['Web app', 'iOS app', 'Android app', 'API', 'Sign-in', 'Notifications', 'File attachments'])
      await expect(page.locator('.component-name', { hasText: new RegExp(`^${name}$`) })).toBeVisible();

    // Keyboard users can reach a day of the uptime strip and read its details.
    const cell = page.locator('.uptime-strip').first().locator('li').last();
    await cell.focus();
    await expect(cell.locator(':scope > span').isVisible()).resolves.toBe(true);
    expect(await cell.locator(':scope > span').textContent()).toMatch(/uptime/);

    await page.getByRole('link', { name: 'Incident history' }).first().click();
    await page.waitForURL(/\/history$/);
    // Other tests on this server add incidents that push June 2018 off the first page: the reader searches for it.
    await page.getByLabel('Search incident names and updates').fill('renewal release');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.waitForURL(/\/history\?/);
    await page.getByRole('link', { name: 'Service unavailable after the renewal release' }).click();
    await page.waitForURL(/\/incidents\/[a-z0-9]{12}$/);

    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Service unavailable after the renewal release');
    const days = await page.locator('.timeline-day h3').allTextContents();
    expect(days).toEqual(['Tuesday, 19 June 2018', 'Monday, 18 June 2018']);
    const entries = page.locator('.timeline .update');
    expect(await entries.count()).toBe(15);
    expect(await entries.first().textContent()).toContain('rollback is released');
    expect(await entries.last().textContent()).toContain('07:00');
    expect(await page.locator('.facts').textContent()).toContain('19 h 40 min');
    expect(errors).toEqual([]);
    await page.close();
  });

  test('sees a new incident appear on the open page without reloading it', async () => {
    const page = await browser.newPage();
    await page.goto(url + '/');
    await page.evaluate(() => ((window as Window & { marker?: string }).marker = 'same document'));
    const db = openDatabase(server.databasePath);
    try {
      openIncident(db, { name: 'Sync delayed for some boards', status: 'investigating', body: 'Changes take minutes to appear.' }, { now: Date.now() });
    } finally {
      db.$client.close();
    }
    // The new incident's own name, not the "Active incidents" heading, which an earlier test's incident may already show.
    await expect(page.getByText('Sync delayed for some boards').first()).toBeVisible({ timeout: 10_000 });
    expect(await page.evaluate(() => (window as Window & { marker?: string }).marker)).toBe('same document');
    expect(await page.locator('#live-status').textContent()).toContain('updated');
    await page.close();
  });

  test('catches up at once when it opens older than the version out, as a copy from the browser’s cache can', async () => {
    // The page as it was, kept the way a browser keeps it for its max-age.
    const kept = await (await fetch(url + '/')).text();
    const db = openDatabase(server.databasePath);
    try {
      openIncident(db, { name: 'Exports queued for hours', status: 'investigating', body: 'Board exports wait in a queue.' }, { now: Date.now() });
    } finally {
      db.$client.close();
    }
    // Announced before the page opens: no change event will come while it is open.
    await expect.poll(async () => (await (await fetch(url + '/')).text()).includes('Exports queued for hours')).toBe(true);
    const page = await browser.newPage();
    await page.route(url + '/', (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: kept }), { times: 1 });
    await page.goto(url + '/');
    await expect(page.getByText('Exports queued for hours').first()).toBeVisible({ timeout: 5_000 });
    await page.close();
  });

  test('keeps what a reader typed into a form when the site changes meanwhile', async () => {
    const form = await browser.newPage();
    await form.goto(url + '/subscribe');
    await form.getByLabel('Email address').fill('halfway@example.com');
    const watcher = await browser.newPage();
    await watcher.goto(url + '/');
    const db = openDatabase(server.databasePath);
    try {
      openIncident(db, { name: 'Exports slow for large boards', status: 'investigating', body: 'Exports take minutes.' }, { now: Date.now() });
    } finally {
      db.$client.close();
    }
    // The open status page shows the change, so every open page has heard of it; the form's page has had time to act on it.
    await watcher.getByText('Exports slow for large boards').first().waitFor({ timeout: 10_000 });
    await form.waitForTimeout(1_500);
    expect(await form.getByLabel('Email address').inputValue()).toBe('halfway@example.com');
    await form.close();
    await watcher.close();
  });

  test('sees it by asking /live.json when the stream is refused, and fetches the page under the address naming the change', async () => {
    const page = await browser.newPage();
    // A proxy that carries no streams: the event source is refused.
    await page.route('**/events', (route) => route.fulfill({ status: 503, body: 'no streams here' }));
    const asked: string[] = [];
    page.on('request', (r) => asked.push(new URL(r.url()).pathname + new URL(r.url()).search));
    await page.goto(url + '/');
    // The page asks first about the version it was rendered for, then, told the current round, waits on that.
    const rendered = await page.locator('html').getAttribute('data-live-version');
    expect(rendered).toMatch(/^[a-z0-9]+\.\d+$/);
    await expect.poll(() => asked.includes(`/live.json?since=${rendered}&round=0`)).toBe(true);
    await expect.poll(() => asked.some((p) => /^\/live\.json\?since=[\w.]+&round=[1-9]\d*$/.test(p))).toBe(true);
    const db = openDatabase(server.databasePath);
    try {
      openIncident(db, { name: 'Polling picks this up', status: 'investigating', body: 'Seen without a stream.' }, { now: Date.now() });
    } finally {
      db.$client.close();
    }
    await page.getByText('Polling picks this up').first().waitFor({ timeout: 10_000 });
    expect(asked.some((p) => /^\/\?v=[\w.]+$/.test(p))).toBe(true);
    await page.close();
  });
});

test.describe('a status page behind a CDN (LIVE_MODE=poll)', () => {
  let polled: ServerProcess;
  test.beforeAll(async () => {
    // A server of its own: the live mode is a setting of the whole server.
    polled = await startServerProcess({ LIVE_MODE: 'poll' });
  });
  test.afterAll(async () => {
    await polled?.stop();
  });

  test('keeps an open page current by polling, never opening a stream', async () => {
    const page = await browser.newPage();
    const asked: string[] = [];
    page.on('request', (r) => asked.push(new URL(r.url()).pathname));
    await page.goto(polled.url + '/ja/');
    expect(await page.locator('html').getAttribute('data-live')).toBe('poll');
    const db = openDatabase(polled.databasePath);
    try {
      openIncident(db, { name: 'CDN-friendly update', status: 'investigating', body: 'Polled.' }, { now: Date.now() });
    } finally {
      db.$client.close();
    }
    await page.getByText('CDN-friendly update').first().waitFor({ timeout: 10_000 });
    expect(asked).toContain('/live.json');
    expect(asked).not.toContain('/events');
    await page.close();
  });
});

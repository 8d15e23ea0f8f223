import { openDatabase } from '../../db/open';
import { createComponent } from '../../src/lib/components/create-component';
import { signInAsDemoAdmin, tokyoLocal } from '../support/browser-checks';
import { expect, test } from './fixtures';

/** Two components of this journey's own: others on the shared server open incidents on the demo's. */
const BOARDS = `Boards ${Date.now().toString(36)}`;
const SEARCH = `Search ${Date.now().toString(36)}`;

test.beforeAll(async ({ server }) => {
  const db = openDatabase(server.databasePath);
  try {
    for (const name of [BOARDS, SEARCH]) createComponent(db, { name }, { now: Date.now() });
  } finally {
    db.$client.close();
  }
});

test.describe('staff running an incident', () => {
  test('sign in, open it on two components, post updates (one back-dated), resolve, and the public page follows', async ({ browser, server }) => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAsDemoAdmin(page, server);

    await page.getByRole('link', { name: 'Open an incident' }).click();
    // A validation error keeps what was typed.
    await page.getByLabel('Message', { exact: true }).fill('Boards load slowly for some teams.');
    await page.getByRole('button', { name: 'Open incident' }).click();
    expect(await page.locator('#name-error').textContent()).toBe('Give it a name.');
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Boards load slowly for some teams.');

    // The live preview renders the Markdown as readers will see it.
    await page.getByLabel('Message', { exact: true }).fill('Boards load **slowly** for some teams.');
    await page.locator('#field-body-preview strong').waitFor();
    expect(await page.locator('#field-body-preview strong').textContent()).toBe('slowly');

    await page.getByLabel('Name', { exact: true }).fill('Slow boards');
    await page.getByLabel(new RegExp(BOARDS)).selectOption('degraded_performance');
    await page.getByLabel(new RegExp(SEARCH)).selectOption('partial_outage');
    await page.getByLabel('Shown at (Asia/Tokyo)').fill(tokyoLocal(30));
    await page.getByRole('button', { name: 'Open incident' }).click();
    await page.waitForURL(/\/admin\/incidents\/[a-z0-9]{12}\?done=opened/);
    const incidentPath = new URL(page.url()).pathname.replace('/admin', '');

    await page.getByLabel('Status', { exact: true }).selectOption('monitoring');
    await page.getByLabel('Message', { exact: true }).first().fill('A fix is deployed; watching load times.');
    await page.getByRole('button', { name: 'Post update' }).click();
    await page.waitForURL(/done=posted/);

    await page.getByLabel('Status', { exact: true }).selectOption('identified');
    await page.getByLabel('Message', { exact: true }).first().fill('Found a slow query (noted after the fact).');
    await page.locator('#displayAt').fill(tokyoLocal(20));
    await page.getByRole('button', { name: 'Post update' }).click();
    await page.waitForURL(/done=posted/);

    await page.getByRole('button', { name: 'Resolve incident' }).click();
    await page.waitForURL(/done=resolved/);

    const publicPage = await browser.newPage();
    await publicPage.goto(server.url + incidentPath);
    const statuses = await publicPage.locator('.timeline .update .update-meta strong').allTextContents();
    // Newest first, as the status page's cards read.
    expect(statuses).toEqual(['Resolved', 'Monitoring', 'Identified', 'Investigating']);
    await publicPage.goto(server.url + '/');
    const status = (name: string) => publicPage.locator('.component', { hasText: name }).locator('.status').first().getAttribute('data-status');
    expect(await status(BOARDS)).toBe('operational');
    expect(await status(SEARCH)).toBe('operational');
    expect(await publicPage.getByText('Slow boards').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
    await publicPage.close();
  });
});

test.describe('irreversible actions in the browser', () => {
  test('ask through the browser dialog: no keeps the template, yes deletes it in one step', async ({ server, staffPage }) => {
    const page = await staffPage();
    await page.goto(server.url + '/admin/templates');
    const name = `Short-lived ${Date.now()}`;
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Message', { exact: true }).fill('We are looking into it.');
    await page.getByRole('button', { name: 'Save template' }).click();
    const item = page.locator('li', { has: page.getByRole('heading', { name }) });
    await expect(item).toHaveCount(1);

    page.once('dialog', (d) => void d.dismiss());
    await item.getByRole('button', { name: 'Delete' }).click();
    await expect(item).toHaveCount(1);

    page.once('dialog', (d) => void d.accept());
    await item.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/done=saved/);
    await expect(page.locator('.confirm-panel')).toHaveCount(0);
    await expect(page.getByRole('heading', { name })).toHaveCount(0);
  });
});

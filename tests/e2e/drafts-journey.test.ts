import { expect, test, type Browser, type Page } from '@playwright/test';
import { axeViolations, SHOTS, signInAsDemoAdmin, tokyoLocal } from '../support/browser-checks';
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


async function signedIn(colorScheme: 'light' | 'dark' = 'light', width = 1280): Promise<Page> {
  const context = await browser.newContext({ colorScheme, viewport: { width, height: width === 360 ? 740 : 900 }, bypassCSP: true });
  const page = await context.newPage();
  await signInAsDemoAdmin(page, server);
  return page;
}

let draftPath = '';

test.describe('an incident written as a draft', () => {
  test('is saved, listed, reopened with what was typed, and published with a notification onto the public page', async () => {
    const page = await signedIn();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.getByRole('link', { name: 'Open an incident' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Card comments vanish');
    await page.getByLabel(/Web app/).selectOption('partial_outage');
    await page.getByLabel('Message', { exact: true }).fill('Comments posted in the last hour do not show.');
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.waitForURL(/\/admin\/incidents\/new\?draft=[a-z0-9]{12}&done=drafted/);
    await expect(page.getByRole('status')).toContainText('Draft saved');
    draftPath = new URL(page.url()).pathname + new URL(page.url()).search.replace(/&done=drafted/, '');
    expect(await axeViolations(page), 'the draft form').toEqual([]);

    // Nothing of it is public.
    const publicPage = await page.context().newPage();
    await publicPage.goto(server.url + '/');
    await expect(publicPage.getByText('Card comments vanish')).toHaveCount(0);

    await page.getByRole('link', { name: 'Incidents', exact: true }).click();
    const drafts = page.getByRole('region', { name: 'Drafts' });
    await expect(drafts.getByRole('link', { name: 'Card comments vanish' })).toBeVisible();
    expect(await axeViolations(page), 'the dashboard with drafts').toEqual([]);

    await drafts.getByRole('link', { name: 'Card comments vanish' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Draft incident');
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Card comments vanish');
    await expect(page.getByLabel(/Web app/)).toHaveValue('partial_outage');
    await page.getByLabel('Message', { exact: true }).fill('Comments posted since 14:00 do not show. We are restoring them.');
    await expect(page.getByLabel('Notify subscribers')).toBeChecked();
    await page.getByRole('button', { name: 'Publish incident' }).click();
    await page.waitForURL(/\/admin\/incidents\/[a-z0-9]{12}\?done=opened/);
    const incidentPath = new URL(page.url()).pathname.replace('/admin', '');

    await publicPage.goto(server.url + incidentPath);
    await expect(publicPage.getByRole('heading', { level: 1 })).toHaveText('Card comments vanish');
    await expect(publicPage.getByText('Comments posted since 14:00 do not show.')).toBeVisible();
    await expect(publicPage.getByText('written after the event')).toHaveCount(0);
    await publicPage.goto(server.url + '/');
    await expect(publicPage.getByText('Card comments vanish').first()).toBeVisible();
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('turns the notify box off while the incident is written up after the event', async () => {
    const page = await signedIn();
    await page.goto(server.url + '/admin/incidents/new');
    const notify = page.getByLabel('Notify subscribers');
    await expect(notify).toBeEnabled();
    await page.getByLabel('I’m writing this up after the event').check();
    await expect(notify).toBeDisabled();
    await page.getByLabel('Name', { exact: true }).fill('Written up: webhooks delayed');
    await page.getByLabel('Status', { exact: true }).selectOption('resolved');
    await page.getByLabel('Message', { exact: true }).fill('Webhooks were delayed for twenty minutes.');
    await page.getByLabel('Shown at (Asia/Tokyo)').fill(tokyoLocal(600));
    await page.getByRole('button', { name: 'Open incident' }).click();
    await page.waitForURL(/done=opened/);
    await page.goto(server.url + new URL(page.url()).pathname.replace('/admin', ''));
    await expect(page.getByText('This timeline was written after the event')).toBeVisible();
    await page.context().close();
  });

  test('saves screenshots of the staff screens that changed, in both languages, light and dark, at 1280 and 360 px', async () => {
    test.setTimeout(240_000);
    // A draft to list and open, and a refused past window to show.
    const setup = await signedIn();
    await setup.goto(server.url + '/admin/incidents/new');
    await setup.getByLabel('Name', { exact: true }).fill('Search results out of date');
    await setup.getByLabel('Message', { exact: true }).fill('New cards take a few minutes to appear in search.');
    await setup.getByRole('button', { name: 'Save as draft' }).click();
    await setup.waitForURL(/done=drafted/);
    draftPath = new URL(setup.url()).pathname + new URL(setup.url()).search.replace(/&done=drafted/, '');
    await setup.context().close();

    for (const colorScheme of ['light', 'dark'] as const) {
      for (const width of [1280, 360]) {
        const page = await signedIn(colorScheme, width);
        for (const locale of ['en', 'ja'] as const) {
          const tag = `${locale}-${colorScheme}-${width}`;
          await page.goto(`${server.url}/${locale}/admin`);
          await page.screenshot({ path: `${SHOTS}/admin-drafts-dashboard-${tag}.png`, fullPage: true });
          await page.goto(`${server.url}/${locale}${draftPath}`);
          await page.screenshot({ path: `${SHOTS}/admin-draft-form-${tag}.png`, fullPage: true });
          await page.goto(`${server.url}/${locale}/admin/audit?kind=incidents`);
          await expect(page.getByText(locale === 'ja' ? '障害の下書きを作成' : 'Started an incident draft').first()).toBeVisible();
          await page.screenshot({ path: `${SHOTS}/admin-audit-drafts-${tag}.png` });
          await page.goto(`${server.url}/${locale}/admin/maintenance/new`);
          await page.locator('#name').fill(locale === 'ja' ? '古いディスクの交換' : 'Old disk swap');
          await page.locator('#scheduledFor').fill(tokyoLocal(180));
          await page.locator('#scheduledUntil').fill(tokyoLocal(120));
          await page.locator('#field-body').fill(locale === 'ja' ? 'ディスクを交換しました。' : 'Disks were swapped.');
          await page.locator('form.form button[type="submit"]').last().click();
          await expect(page.locator('#scheduledUntil-error')).toBeVisible();
          if (width === 1280) expect(await axeViolations(page), `refused past window, ${tag}`).toEqual([]);
          await page.screenshot({ path: `${SHOTS}/admin-maintenance-past-${tag}.png`, fullPage: true });
          const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
          expect(scrollWidth, `maintenance form ${tag} is wider than the screen`).toBeLessThanOrEqual(clientWidth);
        }
        await page.context().close();
      }
    }
  });
});

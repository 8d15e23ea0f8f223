import { axeViolations, tokyoLocal } from '../support/browser-checks';
import { AUDIT, expect, sweep, test } from './fixtures';

test.describe('an incident written as a draft', () => {
  test('is saved, listed, reopened with what was typed, and published with a notification onto the public page', async ({ server, staffPage }) => {
    const page = await staffPage();
    await page.goto(server.url + '/admin');
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.getByRole('link', { name: 'Open an incident' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Card comments vanish');
    await page.getByLabel(/Web app/).selectOption('partial_outage');
    await page.getByLabel('Message', { exact: true }).fill('Comments posted in the last hour do not show.');
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.waitForURL(/\/admin\/incidents\/new\?draft=[a-z0-9]{12}&done=drafted/);
    await expect(page.getByRole('status')).toContainText('Draft saved');
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
  });

  test('turns the notify box off while the incident is written up after the event', async ({ server, staffPage }) => {
    const page = await staffPage();
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
  });

  test('the draft form and a refused past maintenance window pass axe, light and dark, and fit a 360 px screen', async ({
    browser,
    server,
    adminState,
    staffPage,
  }) => {
    test.setTimeout(AUDIT ? 240_000 : 60_000);
    // A draft to list and open.
    const setup = await staffPage();
    await setup.goto(server.url + '/admin/incidents/new');
    await setup.getByLabel('Name', { exact: true }).fill('Search results out of date');
    await setup.getByLabel('Message', { exact: true }).fill('New cards take a few minutes to appear in search.');
    await setup.getByRole('button', { name: 'Save as draft' }).click();
    await setup.waitForURL(/done=drafted/);
    const draftPath = new URL(setup.url()).pathname + new URL(setup.url()).search.replace(/&done=drafted/, '');
    await sweep(
      browser,
      [
        // The dashboard with drafts and the draft form pass axe in the journey above, and the dashboard's kind in accessibility.test.ts.
        { name: 'drafts-dashboard', path: '/admin', auditOnly: true },
        { name: 'draft-form', path: draftPath, auditOnly: true },
        { name: 'audit-drafts', path: '/admin/audit?kind=incidents', auditOnly: true },
        { name: 'maintenance-past', path: '/admin/maintenance/new', japanese: true },
      ],
      {
        server,
        storageState: adminState,
        prefix: 'admin',
        prepare: async (page, look, entry) => {
          if (entry.name === 'audit-drafts')
            await expect(page.getByText(look.locale === 'ja' ? '障害の下書きを作成' : 'Started an incident draft').first()).toBeVisible();
          if (entry.name !== 'maintenance-past') return;
          // A window that ended before it is written down is refused, the field named.
          await page.locator('#name').fill(look.locale === 'ja' ? '古いディスクの交換' : 'Old disk swap');
          await page.locator('#scheduledFor').fill(tokyoLocal(180));
          await page.locator('#scheduledUntil').fill(tokyoLocal(120));
          await page.locator('#field-body').fill(look.locale === 'ja' ? 'ディスクを交換しました。' : 'Disks were swapped.');
          await page.locator('form.form button[type="submit"]').last().click();
          await expect(page.locator('#scheduledUntil-error')).toBeVisible();
        },
      },
    );
  });
});

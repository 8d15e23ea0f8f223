import { expect, test } from './fixtures';

test.describe('staff publishing a postmortem', () => {
  test('write it, preview it, publish it; readers see the generated timeline and metrics', async ({ browser, server, staffPage }) => {
    const page = await staffPage();

    await page.goto(server.url + '/admin/postmortems');
    await page.getByRole('link', { name: 'Write a postmortem' }).click();
    await page.getByLabel('Title').fill('File uploads failing: what happened');
    await page.getByLabel(/^Slug/).fill('file-uploads');
    await page.getByLabel('File uploads failing (').check();
    await page
      .getByLabel('Report')
      .fill('## What happened\n\nA storage node ran out of space.\n\n{{metrics}}\n\n{{timeline}}\n\n## Action items\n\n- [x] Alert on disk space');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('heading', { name: /^Preview: File uploads failing/ }).waitFor();
    expect(await page.locator('[data-metric="recover"] strong').textContent()).toBe('55 min');
    // The preview kept everything typed.
    expect(await page.getByLabel('Title').inputValue()).toBe('File uploads failing: what happened');

    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(/done=published/);

    const reader = await browser.newPage();
    await reader.goto(server.url + '/postmortems/file-uploads');
    expect(await reader.getByRole('heading', { level: 1 }).textContent()).toBe('File uploads failing: what happened');
    expect(await reader.locator('[data-metric="detect"] strong').textContent()).toBe('0 min');
    expect(await reader.locator('[data-metric="identify"] strong').textContent()).toBe('25 min');
    expect(await reader.locator('.timeline-table tr').count()).toBe(3);
    expect(await reader.getByText('A storage node ran out of space.').isVisible()).toBe(true);

    await reader.goto(server.url + '/history');
    await reader.getByRole('link', { name: 'Postmortem: File uploads failing: what happened' }).click();
    await reader.waitForURL(/\/postmortems\/file-uploads$/);
    await reader.close();
  });
});

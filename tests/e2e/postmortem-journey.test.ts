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
    expect(await page.locator('[data-metric="resolve"] strong').textContent()).toBe('55 min');
    // The preview kept everything typed.
    expect(await page.getByLabel('Title').inputValue()).toBe('File uploads failing: what happened');

    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(/done=published/);

    const reader = await browser.newPage();
    await reader.goto(server.url + '/postmortems/file-uploads');
    expect(await reader.getByRole('heading', { level: 1 }).textContent()).toBe('File uploads failing: what happened');
    expect(await reader.locator('[data-metric="firstWord"] strong').textContent()).toBe('0 min');
    expect(await reader.locator('[data-metric="identify"] strong').textContent()).toBe('25 min');
    // Published at 0, 25 and 55 minutes: the longest wait for news was the last one.
    expect(await reader.locator('[data-metric="longestSilence"] strong').textContent()).toBe('30 min');
    expect(await reader.locator('.timeline-table tr').count()).toBe(3);
    expect(await reader.getByText('A storage node ran out of space.').isVisible()).toBe(true);

    await reader.goto(server.url + '/history');
    await reader.getByRole('link', { name: 'Postmortem: File uploads failing: what happened' }).click();
    await reader.waitForURL(/\/postmortems\/file-uploads$/);
    await reader.close();
  });
});

test.describe('a reader of a postmortem', () => {
  test('sees the June 18 figures with their definitions, in English and Japanese', async ({ browser, server }) => {
    const reader = await browser.newPage();
    for (const [path, silence, span, definition] of [
      ['/en/postmortems/renewal-outage', '4 h 20 min', '18 Jun 2018, 18:10 – 22:30', 'The longest time customers heard nothing while it was open'],
      ['/ja/postmortems/renewal-outage-ja', '4時間 20分', '2018/06/18 18:10 – 22:30', 'お客様へ何もお知らせしていなかった最も長い時間'],
    ]) {
      await reader.goto(server.url + path);
      const figure = reader.locator('[data-metric="longestSilence"]');
      expect(await figure.locator('strong').textContent()).toBe(silence);
      expect(await figure.locator('.metric-span').textContent()).toBe(span);
      expect(await figure.locator('.definition').isVisible()).toBe(true);
      expect(await figure.locator('.definition').textContent()).toContain(definition);
      // Every figure says what it measures, beside its value.
      expect(await reader.locator('.pm-metrics .definition').count()).toBe(4);
      expect(await reader.locator('.pm-metrics [data-metric]').evaluateAll((els) => els.map((e) => e.getAttribute('data-metric')))).toEqual([
        'firstWord',
        'identify',
        'longestSilence',
        'resolve',
      ]);
    }
    await reader.close();
  });
});

import { expect, test } from './fixtures';

test.describe('staff keeping a postmortem’s promises', () => {
  test('add a follow-up, fix what the form asks, drop it with a reason; readers see it in both languages', async ({ browser, server, staffPage }) => {
    const page = await staffPage();
    const promise = `Publish the cache load-test results ${Date.now()}`;
    await page.goto(server.url + '/admin/postmortems/edit?file=2018-06-22-renewal-outage.md');
    // The demo report carries the June 18 promises; the one still open is long past its due date.
    const section = page.locator('#follow-ups');
    expect(await section.locator('[data-follow-up]').count()).toBeGreaterThanOrEqual(4);
    expect(await section.locator('[data-overdue]').first().textContent()).toContain('Overdue: was due');

    await page.getByText('Add a follow-up', { exact: true }).first().click();
    const add = page.locator('form:has(input[name="intent"][value="followup_add"])');
    await add.getByLabel('What we will do (English)').fill(promise);
    await add.getByLabel(/^Due date/).fill('2099-06-30');
    await add.getByRole('button', { name: 'Add a follow-up' }).click();
    // Refused for want of the Japanese text: the form comes back open, as typed, saying what to fix.
    const again = page.locator('form:has(input[name="intent"][value="followup_add"])');
    await again.getByText('Say what will be done, in this language too').waitFor();
    expect(await again.getByLabel('What we will do (English)').inputValue()).toBe(promise);
    await again.getByLabel('What we will do (Japanese)').fill('キャッシュの負荷試験の結果を公開します');
    await again.getByRole('button', { name: 'Add a follow-up' }).click();
    await page.waitForURL(/done=followUpAdded/);

    const item = page.locator('li[data-follow-up]', { hasText: promise });
    await item.getByText('Change', { exact: true }).click();
    await item.getByLabel('Status').selectOption('dropped');
    await item.getByRole('button', { name: 'Save the follow-up' }).click();
    const refused = page.locator('li[data-follow-up]', { hasText: promise });
    await refused.getByText('Say why it was dropped, in this language too').first().waitFor();
    await refused.getByLabel('Why it was dropped (English)').fill('The renewal was redesigned; the new load tests replace these');
    await refused.getByLabel('Why it was dropped (Japanese)').fill('リニューアルを設計し直し、新しい負荷試験に置き換えました');
    await refused.getByRole('button', { name: 'Save the follow-up' }).click();
    await page.waitForURL(/done=followUpSaved/);
    expect(await page.locator('li[data-follow-up]', { hasText: promise }).getAttribute('data-status')).toBe('dropped');

    const reader = await browser.newPage();
    await reader.goto(server.url + '/en/postmortems/renewal-outage');
    const promised = reader.locator('#follow-ups li', { hasText: promise });
    await expect(promised).toContainText('Dropped');
    await expect(promised).toContainText('The renewal was redesigned');
    expect(await reader.locator('#follow-ups .fu-done').count()).toBeGreaterThanOrEqual(3);
    await reader.goto(server.url + '/ja/postmortems/renewal-outage-ja');
    await expect(reader.locator('#follow-ups li', { hasText: 'キャッシュの負荷試験の結果を公開します' })).toContainText('取りやめ');
    await reader.getByRole('link', { name: 'すべての障害報告の未完了の約束' }).click();
    await reader.waitForURL(/\/ja\/commitments$/);
    await reader.getByRole('heading', { level: 1, name: '未完了の約束' }).waitFor();
    await reader.close();
  });
});

import { JUNE_18 } from '../../src/lib/demo/june-18';
import { expect, test } from './fixtures';

// The June 18 demo outage: fifteen updates, each with its Japanese text, and a Japanese name.
const PAGE = `/admin/incidents/${JUNE_18.incidentId}`;
const NEWEST = JUNE_18.timeline.at(-1)!;

test('the staff timeline shows each update in every language it has, each under its language’s name', async ({ server, staffPage }) => {
  const page = await staffPage();
  for (const [prefix, english, japanese, nameIn] of [
    ['', 'English', 'Japanese', 'Name in Japanese:'],
    ['/ja', '英語', '日本語', '日本語の名前:'],
  ] as const) {
    await page.goto(server.url + prefix + PAGE);
    await expect(page.locator('.name-in')).toHaveText(`${nameIn} ${JUNE_18.nameJa}`);
    const texts = page.locator('.admin-timeline > .update').first().locator('.update-text');
    await expect(texts).toHaveCount(2);
    await expect(texts.nth(0).locator('.update-language')).toHaveText(english);
    await expect(texts.nth(0).locator('.update-body[lang="en"]')).toHaveText(NEWEST.body);
    await expect(texts.nth(1).locator('.update-language')).toHaveText(japanese);
    await expect(texts.nth(1).locator('.update-body[lang="ja"]')).toHaveText(NEWEST.ja);
    await expect(texts.nth(1)).toBeVisible();
  }
});

import type { Locator } from '@playwright/test';
import { JUNE_18 } from '../../src/lib/demo/june-18';
import { expect, test } from './fixtures';

// The June 18 demo outage: fifteen updates, each with its Japanese text, and a Japanese name.
const PAGE = `/admin/incidents/${JUNE_18.incidentId}`;
const NEWEST = JUNE_18.timeline.at(-1)!;

async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const found = await locator.boundingBox();
  expect(found, 'the element is laid out').not.toBeNull();
  return found!;
}

test('on a desktop the timeline stands beside the forms and stays in view down to the last form', async ({ server, staffPage }) => {
  const page = await staffPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(server.url + PAGE);
  const form = await box(page.getByRole('region', { name: 'Post an update' }));
  const timeline = page.getByRole('region', { name: 'Timeline', exact: true });
  const beside = await box(timeline);
  expect(beside.x, 'the timeline is right of the form').toBeGreaterThanOrEqual(form.x + form.width);
  expect(beside.y, 'the timeline starts level with the form, not under it').toBeLessThan(form.y + form.height);

  // Down at the last form on the page, the newest update is still on screen.
  const lastForm = page.getByRole('region', { name: 'Name, impact and settings' });
  await lastForm.getByRole('button', { name: 'Save', exact: true }).scrollIntoViewIfNeeded();
  await expect(lastForm).toBeInViewport();
  const newest = timeline.locator('.update').first();
  await expect(newest.locator('.update-body').first()).toHaveText(NEWEST.body);
  await expect(newest.locator('.update-body').first()).toBeInViewport();
});

test('on a phone the page is one column, the timeline after the forms, no wider than the screen', async ({ server, staffPage }) => {
  const page = await staffPage({ viewport: { width: 360, height: 740 } });
  for (const [prefix, post, timeline] of [
    ['', 'Post an update', 'Timeline'],
    ['/ja', '報告を掲載する', '経緯'],
  ] as const) {
    await page.goto(server.url + prefix + PAGE);
    const form = await box(page.getByRole('region', { name: post }));
    const below = await box(page.getByRole('region', { name: timeline, exact: true }));
    expect(below.y, `${prefix || '/en'}: the timeline comes after the form`).toBeGreaterThanOrEqual(form.y + form.height);
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    expect(scrollWidth, `${prefix || '/en'}${PAGE} is wider than the screen`).toBeLessThanOrEqual(clientWidth);
  }
});

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

import { mkdirSync } from 'node:fs';
import type { Browser, Page } from '@playwright/test';
import { simpleParser } from 'mailparser';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { decodeQuotedPrintable, startSmtpSink, type ReceivedMail } from '../support/smtp-sink';
import { AUDIT, expect, SHOTS, test } from './fixtures';

let server: ServerProcess;
let browser: Browser;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;

test.beforeAll(async ({ browser: shared }) => {
  // One browser per worker, launched by Playwright with the options in playwright.config.ts.
  browser = shared;
  sink = await startSmtpSink();
  // A server of its own: its mail goes to a real SMTP server, which is what this file tests.
  server = await startServerProcess({ SMTP_URL: sink.url });
});
test.afterAll(async () => {
  await server?.stop();
  await sink?.close();
});

async function mailFor(to: string, match: (subject: string) => boolean) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const mail = sink.for(to).find((m) => match(m.subject));
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`no mail for ${to}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test.describe('a customer subscribing', () => {
  test('subscribes on the page, confirms from the email, and hears of the next update', async () => {
    const email = 'customer@example.com';
    const page = await browser.newPage();
    await page.goto(server.url + '/');
    await page.getByRole('link', { name: 'Subscribe to updates' }).click();
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();

    const confirm = await mailFor(email, (s) => s.includes('Confirm your subscription'));
    const link = /http:\/\/\S+?\/subscribe\/confirm\?token=[\w.-]+/.exec(decodeQuotedPrintable(confirm.raw))![0];
    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await page.getByRole('heading', { name: 'You are subscribed' }).waitFor();

    const staff = await browser.newPage();
    await staff.goto(server.url + '/admin/login');
    await staff.getByLabel('Email address').fill('admin@example.com');
    await staff.getByLabel('Password').fill(server.adminPassword);
    await staff.getByRole('button', { name: 'Sign in' }).click();
    await staff.waitForURL(/\/admin$/);
    await staff.getByRole('link', { name: 'Open an incident' }).click();
    await staff.getByLabel('Name', { exact: true }).fill('Notifications are delayed');
    await staff.getByLabel('Message', { exact: true }).fill('Emails and push notifications arrive late. We are on it.');
    await staff.getByRole('button', { name: 'Open incident' }).click();
    await staff.waitForURL(/done=opened/);
    await staff.getByLabel('Message', { exact: true }).first().fill('The backlog is draining; expect normal delivery within 20 minutes.');
    await staff.getByRole('button', { name: 'Post update' }).click();
    await staff.waitForURL(/done=posted/);

    await mailFor(email, (s) => s.includes('Notifications are delayed'));
    const deadline = Date.now() + 15_000;
    const withText = () =>
      sink.for(email).find((m) => decodeQuotedPrintable(m.raw).includes('The backlog is draining; expect normal delivery within 20 minutes.'));
    while (!withText() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const update = withText();
    expect(update, 'the mail with the update text').toBeDefined();
    expect(update!.subject).toContain('Notifications are delayed');
    expect(update!.header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    await page.close();
    await staff.close();
  });
});

async function signInStaff(): Promise<Page> {
  const staff = await browser.newPage();
  await staff.goto(server.url + '/admin/login');
  await staff.getByLabel('Email address').fill('admin@example.com');
  await staff.getByLabel('Password').fill(server.adminPassword);
  await staff.getByRole('button', { name: 'Sign in' }).click();
  await staff.waitForURL(/\/admin$/);
  return staff;
}

const SIZES = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'narrow', width: 360, height: 800 },
] as const;

/**
 * Shows a received mail's HTML part in Chromium at desktop and phone widths,
 * light and dark, saving each view; checks that dark mode really darkens the
 * mail and keeps its status label and button readable.
 */
async function viewMail(mail: ReceivedMail, name: string) {
  const html = (await simpleParser(mail.raw)).html;
  expect(typeof html).toBe('string');
  mkdirSync(SHOTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    for (const size of SIZES) {
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width: size.width, height: size.height } });
      const page = await context.newPage();
      await page.setContent(html as string);
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background, `${scheme} background`).toBe(scheme === 'dark' ? 'rgb(18, 20, 23)' : 'rgb(246, 247, 249)');
      await expect(page.locator('.badge').first()).toBeVisible();
      await expect(page.locator('a.button')).toHaveCSS('color', 'rgb(255, 255, 255)');
      // Nothing sticks out sideways on a phone.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
      if (AUDIT) await page.screenshot({ path: `${SHOTS}/mail-${name}-${size.name}-${scheme}.png`, fullPage: true });
      await context.close();
    }
  }
}

test.describe('mail a reader can act on', () => {
  test('a Japanese reader gets the update in Japanese, follows its unsubscribe link and presses the button; so does an English one', async () => {
    // Two readers, a staff sign-in (and in the audit sixteen screenshots): more than the default minute on two shared cores.
    test.setTimeout(AUDIT ? 240_000 : 120_000);
    const email = 'dokusha@example.com';
    const reader = await browser.newPage();
    await reader.goto(server.url + '/ja/subscribe');
    await reader.getByLabel('メールアドレス').fill(email);
    await reader.getByRole('button', { name: '購読する' }).click();
    await reader.getByRole('heading', { name: '受信箱をご確認ください' }).waitFor();
    const confirm = await mailFor(email, () => true);
    const link = /http:\/\/\S+?\/ja\/subscribe\/confirm\?token=[\w.-]+/.exec((await simpleParser(confirm.raw)).text ?? '')![0];
    await reader.goto(link);
    await reader.getByRole('button', { name: '購読を確認する' }).click();
    await reader.getByRole('heading', { name: '購読を開始しました' }).waitFor();

    const staff = await signInStaff();
    await staff.getByRole('link', { name: 'Open an incident' }).click();
    await staff.getByLabel('Name', { exact: true }).fill('Search is slow');
    await staff.getByLabel('Message', { exact: true }).fill('**Search** results take up to 30 seconds. See [the history](/history) for earlier reports.');
    await staff.getByRole('button', { name: 'Open incident' }).click();
    await staff.waitForURL(/done=opened/);
    await staff.close();

    // The first test's customer is still subscribed, in English.
    const english = await mailFor('customer@example.com', (s) => s.includes('Search is slow'));
    const japanese = await mailFor(email, (s) => s !== confirm.subject);
    await viewMail(english, 'en');
    await viewMail(japanese, 'ja');

    // The reader opens the mail and follows its unsubscribe link, as from a mail client.
    await reader.setContent((await simpleParser(japanese.raw)).html as string);
    await reader.getByRole('link', { name: '購読をやめる' }).click();
    await reader.waitForURL(/\/ja\/unsubscribe\?token=/);
    await expect(reader.getByRole('heading', { name: '購読をやめる' })).toBeVisible();
    await expect(reader.getByText(`${email} への稼働状況のメールを停止しますか?`)).toBeVisible();
    await expect(reader.getByRole('link', { name: '停止せずに受け取る内容を変更する' })).toHaveAttribute('href', /^\/ja\/subscribe\/manage\?token=/);
    if (AUDIT) {
      for (const size of SIZES) {
        await reader.setViewportSize({ width: size.width, height: size.height });
        for (const scheme of ['light', 'dark'] as const) {
          await reader.emulateMedia({ colorScheme: scheme });
          await reader.screenshot({ path: `${SHOTS}/unsubscribe-ja-${size.name}-${scheme}.png`, fullPage: true });
        }
      }
    }
    await reader.getByRole('button', { name: '購読をやめる' }).click();
    await reader.getByRole('heading', { name: '購読を解除しました' }).waitFor();

    const customer = await browser.newPage();
    await customer.setContent((await simpleParser(english.raw)).html as string);
    await customer.getByRole('link', { name: 'Unsubscribe' }).click();
    await customer.waitForURL(/\/unsubscribe\?token=/);
    await expect(customer.getByText('Stop sending status emails to customer@example.com?')).toBeVisible();
    if (AUDIT) {
      for (const size of SIZES) {
        await customer.setViewportSize({ width: size.width, height: size.height });
        for (const scheme of ['light', 'dark'] as const) {
          await customer.emulateMedia({ colorScheme: scheme });
          await customer.screenshot({ path: `${SHOTS}/unsubscribe-en-${size.name}-${scheme}.png`, fullPage: true });
        }
      }
    }
    await customer.getByRole('button', { name: 'Unsubscribe' }).click();
    await customer.getByRole('heading', { name: 'You have been unsubscribed' }).waitFor();
    await reader.close();
    await customer.close();
  });
});

test.describe('times in a reader’s own zone', () => {
  test('a reader subscribing from Los Angeles keeps that zone, sees it on the manage page at phone width in Japanese, and can change it', async () => {
    const context = await browser.newContext({ timezoneId: 'America/Los_Angeles', viewport: { width: 360, height: 800 } });
    const reader = await context.newPage();
    const email = 'la-dokusha@example.com';
    await reader.goto(server.url + '/ja/subscribe');
    await reader.getByLabel('メールアドレス').fill(email);
    await reader.getByRole('button', { name: '購読する' }).click();
    await reader.getByRole('heading', { name: '受信箱をご確認ください' }).waitFor();
    const confirm = await mailFor(email, () => true);
    await reader.goto(/http:\/\/\S+?\/ja\/subscribe\/confirm\?token=[\w.-]+/.exec((await simpleParser(confirm.raw)).text ?? '')![0]);
    await reader.getByRole('button', { name: '購読を確認する' }).click();
    await reader.getByRole('heading', { name: '購読を開始しました' }).waitFor();

    await reader.getByRole('link', { name: '受け取る内容を変更する' }).click();
    const zone = reader.getByLabel('メールに記載する時刻のタイムゾーン');
    await expect(zone).toHaveValue('America/Los_Angeles');
    expect(await reader.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await zone.selectOption('Europe/London');
    await reader.getByRole('button', { name: '設定を保存' }).click();
    await expect(reader.locator('.notice')).toBeVisible();
    await expect(reader.getByLabel('メールに記載する時刻のタイムゾーン')).toHaveValue('Europe/London');
    await context.close();
  });
});

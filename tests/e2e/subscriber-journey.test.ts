import { expect, test, type Browser } from '@playwright/test';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { decodeQuotedPrintable, startSmtpSink } from '../support/smtp-sink';

let server: ServerProcess;
let browser: Browser;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;

test.beforeAll(async ({ browser: shared }) => {
  // One browser per worker, launched by Playwright with the options in playwright.config.ts.
  browser = shared;
  sink = await startSmtpSink();
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
    const withText = () => sink.for(email).find((m) => decodeQuotedPrintable(m.raw).includes('The backlog is draining; expect normal delivery within 20 minutes.'));
    while (!withText() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const update = withText();
    expect(update, 'the mail with the update text').toBeDefined();
    expect(update!.subject).toContain('Notifications are delayed');
    expect(update!.header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    await page.close();
    await staff.close();
  });
});

import { chromium, type Browser } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../support/chromium';
import { axeViolations, signInAsDemoAdmin } from '../support/browser-checks';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { decodeQuotedPrintable, startSmtpSink } from '../support/smtp-sink';
import { AUDIT, expect, SHOTS, test } from './fixtures';

// The private page's own host, which this file's browser resolves to loopback (no other address is ever asked).
const HOST = 'status.partners.test';
let server: ServerProcess;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let viewerBrowser: Browser;

test.beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startServerProcess({ SMTP_URL: sink.url });
  viewerBrowser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${HOST} 127.0.0.1`] });
});
test.afterAll(async () => {
  await viewerBrowser?.close();
  await server?.stop();
  await sink?.close();
});

test('an admin makes a private page for a partner; a stranger is asked to sign in, a partner signs in by mail, sees it and signs out', async ({ browser }) => {
  // The admin, on the default page's address.
  const staff = await (await browser.newContext()).newPage();
  await signInAsDemoAdmin(staff, server);
  await staff.goto(server.url + '/admin/pages');
  const add = staff.getByRole('region', { name: 'Add a status page' });
  await add.getByLabel('Name readers see').fill('Partner status');
  await add.getByLabel('Short name').fill('partners');
  await add.getByLabel('Host names, one a line').fill(HOST);
  await add.getByLabel('iOS app', { exact: true }).check();
  await add.getByLabel('Private: only the people below can see it').check();
  await add.getByLabel('Who may see it, one a line').fill('@acme.example');
  await add.getByRole('button', { name: 'Add page' }).click();
  await staff.waitForURL(/\/admin\/pages\?done=pageAdded$/);

  // A stranger at the page's own address.
  const port = new URL(server.url).port;
  const origin = `http://${HOST}:${port}`;
  // bypassCSP lets axe in, as the staff pages' fixture does.
  const reader = await (await viewerBrowser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })).newPage();
  const first = await reader.goto(origin + '/');
  expect(first?.status()).toBe(401);
  await expect(reader.getByRole('heading', { level: 1 })).toHaveText('Sign in to Partner status');
  await expect(reader.locator('main')).not.toContainText('iOS app');
  expect(await axeViolations(reader)).toEqual([]);
  await reader.setViewportSize({ width: 360, height: 800 });
  expect(await reader.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
  if (AUDIT) await reader.screenshot({ path: `${SHOTS}/private-sign-in-360-light.png`, fullPage: true });
  await reader.goto(origin + '/ja/');
  await expect(reader.getByRole('heading', { level: 1 })).toHaveText('Partner status にサインイン');
  await reader.setViewportSize({ width: 1280, height: 900 });

  // A partner asks for a link, gets it by mail and signs in with a button press.
  await reader.goto(origin + '/');
  await reader.getByLabel('Email address').fill('dana@acme.example');
  await reader.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await expect(reader.getByRole('status')).toContainText('a sign-in link is on its way');
  await expect.poll(() => sink.for('dana@acme.example').length, { timeout: 15_000 }).toBe(1);
  const mail = sink.for('dana@acme.example')[0]!;
  expect(mail.subject).toBe('[Partner status] Your link to sign in to Partner status');
  const link = new URL(/https?:\/\/\S+?\/viewer\/sign-in\?token=[\w.-]+/.exec(decodeQuotedPrintable(mail.raw))![0]);
  expect(link.hostname).toBe(HOST);
  await reader.goto(origin + link.pathname + link.search);
  await reader.getByRole('button', { name: 'Sign in' }).click();
  await reader.waitForURL(origin + '/');
  await expect(reader.locator('main')).toContainText('iOS app');
  await expect(reader.locator('.brand')).toHaveText('Partner status');
  expect(await axeViolations(reader)).toEqual([]);

  // And signs out from the foot of the page.
  await reader.getByRole('button', { name: 'Sign out of this page' }).click();
  await expect(reader.getByRole('heading', { level: 1 })).toHaveText('Sign in to Partner status');
  expect((await reader.goto(origin + '/'))?.status()).toBe(401);
});

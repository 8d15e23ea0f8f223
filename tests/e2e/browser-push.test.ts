import type { Browser, BrowserContext, Page } from '@playwright/test';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../../db/open';
import { pushSubscriptions, siteState } from '../../db/schema';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { startPushService } from '../support/push-service';
import { until } from '../support/until';
import { CHROMIUM_ARGS, fullChromiumPath } from '../support/chromium';
import { AUDIT, expect, SHOTS, test } from './fixtures';

// The full browser: the headless shell the rest of the tier runs in has no
// notifications for a service worker to show. A worker of its own runs this file.
test.use({ launchOptions: { executablePath: fullChromiumPath(), args: CHROMIUM_ARGS } });

// "Notify me in this browser" in Chromium. Chromium's own push service is
// out of reach here (and Playwright's contexts are off the record, where
// Chromium has no push at all), so two halves are checked for real: the page's
// button in the browser, and the service worker showing what the server sent
// through a push service. The message the server encrypted reaches
// web-push-testing on loopback, which decrypts it; Chromium's DevTools
// protocol then hands that plain text to the service worker as its push
// service would.

let server: ServerProcess;
let browser: Browser;
let push: Awaited<ReturnType<typeof startPushService>>;

test.beforeAll(async ({ browser: shared }) => {
  browser = shared;
  push = await startPushService();
  // A server of its own: it is told the address of the push service this file starts.
  server = await startServerProcess({ WEBHOOK_ALLOW_PRIVATE: '1', PUSH_SERVICE_HOSTS: push.host });
});
test.afterAll(async () => {
  await server?.stop();
  await push?.close();
});

async function readerPage(options: { width?: number; allow?: boolean; colorScheme?: 'light' | 'dark' } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: 900 }, colorScheme: options.colorScheme ?? 'light' });
  if (options.allow !== false) await context.grantPermissions(['notifications'], { origin: server.url });
  return { context, page: await context.newPage() };
}

test.describe('notifications in this browser', () => {
  test('the button is offered on the status page and /subscribe, and says plainly when the browser cannot subscribe, in English and Japanese at 360 px', async () => {
    const { context, page } = await readerPage({ width: 360, colorScheme: 'dark' });
    await page.goto(`${server.url}/`);
    await expect(page.getByRole('button', { name: 'Notify me in this browser' })).toBeVisible();

    await page.goto(`${server.url}/ja/subscribe`);
    const form = page.locator('form.subscribe-form.push-form');
    await expect(page.getByRole('heading', { name: 'このブラウザーで' })).toBeVisible();
    await form.getByLabel('次のコンポーネントのみ:').check();
    await form.getByRole('button', { name: 'このブラウザーで通知を受け取る' }).click();
    // No push service answers this browser: the reader is told in their language, and nothing is saved.
    await expect(form.getByRole('status')).toContainText('プッシュサービスに接続できませんでした');
    await expect(form.getByRole('button', { name: 'このブラウザーで通知を受け取る' })).toBeEnabled();
    // The service worker was installed on the way, at the site's root.
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/'))?.active?.scriptURL)).toBe(`${server.url}/sw.js`);
    if (AUDIT) await page.screenshot({ path: `${SHOTS}/push-subscribe-ja-360-dark.png`, fullPage: true });
    await context.close();
  });

  test('a reader who blocked notifications is told how to allow them', async () => {
    const { context, page } = await readerPage({ allow: false });
    await page.goto(`${server.url}/subscribe`);
    const form = page.locator('form.subscribe-form.push-form');
    await form.getByRole('button', { name: 'Notify me in this browser' }).click();
    await expect(form.getByRole('status')).toContainText('Allow them in the site');
    await context.close();
  });

  test('what the server sends through the push service is shown by the service worker, tagged by incident', async () => {
    const db = openDatabase(server.databasePath);
    try {
      const key = db.select().from(siteState).where(eq(siteState.key, 'vapid_public_key')).get()!.value;
      const subscription = await push.subscribe(key);
      const answer = await fetch(`${server.url}/subscribe/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ subscription: { endpoint: subscription.endpoint, keys: subscription.keys }, componentIds: null, locale: 'en' }),
      });
      expect(answer.status).toBe(201);
      expect(db.select().from(pushSubscriptions).where(eq(pushSubscriptions.endpoint, subscription.endpoint)).get()).toBeTruthy();
      const { incidentId } = openIncident(
        db,
        { name: 'Exports are stuck', status: 'investigating', body: 'CSV exports wait in the queue.', notify: true },
        { now: Date.now() },
      );
      const [sent] = await until(async () => {
        const messages = await push.messages(subscription.clientHash);
        return messages.length > 0 ? messages : undefined;
      }, 20_000);

      const { context, page } = await readerPage();
      await page.goto(`${server.url}/`);
      await page.evaluate(async () => {
        await navigator.serviceWorker.register('/sw.js', { scope: '/' });
        await navigator.serviceWorker.ready;
      });
      const cdp = await context.newCDPSession(page);
      const registrations: { registrationId: string; scopeURL: string }[] = [];
      cdp.on('ServiceWorker.workerRegistrationUpdated', (event) => registrations.push(...event.registrations));
      await cdp.send('ServiceWorker.enable');
      // The full browser reports the registration once it has started its worker: seconds on a machine busy with the rest of the tier.
      const registration = await until(() => registrations.find((r) => r.scopeURL === `${server.url}/`), 20_000);
      await cdp.send('ServiceWorker.deliverPushMessage', { origin: server.url, registrationId: registration.registrationId, data: sent! });
      const shown = await until(
        () =>
          page.evaluate(async () => {
            const notes = await (await navigator.serviceWorker.getRegistration('/'))!.getNotifications();
            return notes.length > 0 ? notes.map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: (n.data as { url: string }).url })) : undefined;
          }),
        5_000,
      );
      expect(shown).toEqual([
        {
          title: 'Exports are stuck',
          body: expect.stringContaining('CSV exports wait in the queue.'),
          tag: incidentId,
          url: expect.stringContaining(`/incidents/${incidentId}`),
        },
      ]);
      await context.close();
    } finally {
      db.$client.close();
    }
  });
});

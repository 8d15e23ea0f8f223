import { test as base, expect, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import { axeViolations, SHOTS, signInAsDemoAdmin, WCAG_AA } from '../support/browser-checks';
import { startServerProcess, type ServerProcess } from '../support/server-process';

/**
 * `npm run test:audit` sets AUDIT=1: every page in every look (scheme × width ×
 * language) with axe and a screenshot each, and Lighthouse. A pull request's run
 * keeps axe once per kind of page in light and dark and the 360 px overflow
 * check, without screenshots.
 */
export const AUDIT = process.env.AUDIT === '1';

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

interface WorkerFixtures {
  /**
   * The built server, started the way `npm start` does, on a temporary database
   * with the demo seeded, shared by every test file a worker runs. Tests on it
   * give what they create unique names and never count what others may add.
   * The cadence is checked every second, so a missed one is noticed while a test
   * watches; loopback addresses are allowed for webhooks and imports.
   */
  server: ServerProcess;
  /** The demo admin's signed-in cookies, signed in once per worker. */
  adminState: StorageState;
}

interface TestFixtures {
  /** A new page in its own context, signed in as the demo admin; closed after the test. */
  staffPage: (options?: BrowserContextOptions) => Promise<Page>;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  server: [
    // Playwright reads what a fixture needs from its first parameter's pattern; this one needs nothing of its own.
    async ({ browserName: _browserName }, use) => {
      const server = await startServerProcess({ CADENCE_CHECK_SECONDS: '1', WEBHOOK_ALLOW_PRIVATE: '1' });
      await use(server);
      await server.stop();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  adminState: [
    async ({ browser, server }, use) => {
      const context = await browser.newContext();
      await signInAsDemoAdmin(await context.newPage(), server);
      const state = await context.storageState();
      await context.close();
      await use(state);
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  staffPage: async ({ browser, adminState }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (options = {}) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true, ...options, storageState: adminState });
      contexts.push(context);
      return context.newPage();
    });
    for (const context of contexts) await context.close();
  },
});

export { expect, SHOTS };

type Locale = 'en' | 'ja';
interface Look {
  colorScheme: 'light' | 'dark';
  width: number;
  locale: Locale;
}

/**
 * What the dark scheme can change: it swaps colours and nothing else (same
 * DOM, same ARIA), so in a pull request's run axe's colour rules are what the
 * dark look adds. The audit runs every rule in every look.
 */
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

export interface SweepPage {
  name: string;
  /** The path without its language prefix, which the sweep adds. */
  path: string;
  /** Also checked in Japanese in a pull request's run (the audit checks every page in both). */
  japanese?: boolean;
  /** Checked only by the audit: a pull request's run checks this kind of page elsewhere. */
  auditOnly?: boolean;
}

export interface SweepOptions {
  server: ServerProcess;
  storageState?: StorageState;
  context?: BrowserContextOptions;
  tags?: readonly string[];
  /** False where only the layout is in question: then axe does not run. */
  axe?: boolean;
  /** Readies each new context (an init script, a permission). */
  setup?: (context: BrowserContext) => Promise<unknown>;
  /** Where in a name the screenshots of this sweep start, so sweeps never overwrite each other's. */
  prefix: string;
  /** Assertions of the file's own on each page in each look. */
  check?: (page: Page, look: Look, where: string, entry: SweepPage) => Promise<void>;
  /** Takes the page from loaded to the state to be checked (fill a form, open a sheet). */
  prepare?: (page: Page, look: Look, entry: SweepPage) => Promise<void>;
}

/**
 * Checks pages in their looks: no axe violation, nothing wider than the screen.
 *
 * A pull request's run loads each page once, in English at 1280 px, and runs
 * axe in light, then axe's colour rules in dark (the same page, the scheme
 * switched), then narrows the same page to 360 px for the overflow check;
 * pages marked `japanese` get the same in Japanese, light only. The audit
 * (AUDIT=1) loads every page in every look (scheme × width × language), runs
 * every axe rule in each and saves a screenshot of each under test-results/.
 */
export async function sweep(browser: Browser, pages: readonly SweepPage[], options: SweepOptions): Promise<void> {
  if (AUDIT) return auditSweep(browser, pages, options);
  const shown = pages.filter((entry) => !entry.auditOnly);
  if (shown.length === 0) return;
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    ...options.context,
    colorScheme: 'light',
    bypassCSP: true,
    ...(options.storageState ? { storageState: options.storageState } : {}),
  });
  await options.setup?.(context);
  const page = await context.newPage();
  const tags = options.tags ?? WCAG_AA;
  for (const entry of shown) {
    for (const locale of entry.japanese ? (['en', 'ja'] as const) : (['en'] as const)) {
      const light: Look = { colorScheme: 'light', width: 1280, locale };
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.goto(`${options.server.url}/${locale}${entry.path}`);
      await options.prepare?.(page, light, entry);
      await checkLook(page, light, entry, options, options.axe === false ? null : { tags });
      if (locale === 'en') {
        await page.emulateMedia({ colorScheme: 'dark' });
        await checkLook(page, { ...light, colorScheme: 'dark' }, entry, options, options.axe === false ? null : { rules: COLOUR_RULES });
        await page.emulateMedia({ colorScheme: 'light' });
      }
      await page.setViewportSize({ width: 360, height: 740 });
      await checkLook(page, { ...light, width: 360 }, entry, options, null);
    }
  }
  await context.close();
}

async function checkLook(
  page: Page,
  look: Look,
  entry: SweepPage,
  options: SweepOptions,
  axe: { tags?: readonly string[]; rules?: string[] } | null,
): Promise<void> {
  const where = `${look.locale}${entry.path} ${look.colorScheme} ${look.width}px`;
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(clientWidth, where).toBeLessThanOrEqual(look.width);
  expect(scrollWidth, `${where} is wider than the screen`).toBeLessThanOrEqual(clientWidth);
  await options.check?.(page, look, where, entry);
  if (axe?.rules) expect(await axeViolations(page, { rules: axe.rules }), where).toEqual([]);
  else if (axe) expect(await axeViolations(page, axe.tags), where).toEqual([]);
}

async function auditSweep(browser: Browser, pages: readonly SweepPage[], options: SweepOptions): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const width of [1280, 360]) {
      const context = await browser.newContext({
        viewport: { width, height: width === 360 ? 740 : 900 },
        ...options.context,
        colorScheme,
        bypassCSP: true,
        ...(options.storageState ? { storageState: options.storageState } : {}),
      });
      await options.setup?.(context);
      const page = await context.newPage();
      for (const locale of ['en', 'ja'] as const) {
        for (const entry of pages) {
          const look: Look = { colorScheme, width, locale };
          await page.goto(`${options.server.url}/${locale}${entry.path}`);
          await options.prepare?.(page, look, entry);
          await checkLook(page, look, entry, options, options.axe === false ? null : { tags: options.tags ?? WCAG_AA });
          await page.screenshot({ path: `${SHOTS}/${options.prefix}-${entry.name}-${locale}-${colorScheme}-${width}.png`, fullPage: true });
        }
      }
      await context.close();
    }
  }
}

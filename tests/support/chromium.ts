import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
/**
 * Debian's chromium-headless-shell: the same Chromium built as the old headless
 * shell, without the desktop browser's machinery. The browser tier runs in it
 * because it takes about a third of the CPU the full browser's headless mode
 * does (the whole tier: 8.2 min on the 2-core machine in the full browser,
 * 3.1 min in the shell), as Playwright's own downloads do.
 */
const DEBIAN_HEADLESS_SHELL = '/usr/lib/chromium/chromium-headless-shell';

/**
 * The browser the browser tier drives: Debian's headless shell where it is
 * installed, else Debian's full Chromium, else a browser Playwright downloaded
 * itself (`npx playwright install chromium`); undefined with none.
 */
export function chromiumPath(): string | undefined {
  if (existsSync(DEBIAN_HEADLESS_SHELL)) return DEBIAN_HEADLESS_SHELL;
  return fullChromiumPath();
}

/**
 * The full browser, for what the headless shell lacks: notifications shown
 * by a service worker, and Lighthouse, which wants the browser it audits
 * readers with.
 */
export function fullChromiumPath(): string | undefined {
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const bundled = chromium.executablePath();
  return bundled && existsSync(bundled) ? bundled : undefined;
}

/** How the tests start Chromium: no sandbox (tests run as root in containers), no GPU, nothing fetched from the network on its own. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export const NO_CHROMIUM =
  'No Chromium for the browser tests. Install one with `apt-get update && apt-get install -y chromium chromium-headless-shell` (Debian) or `npx playwright install chromium`, then run the tests again.';

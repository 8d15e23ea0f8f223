import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium where it is installed, else a browser Playwright
 * downloaded itself; with neither, a message saying how to get one.
 */
export async function launchBrowser(): Promise<Browser> {
  let executablePath: string | undefined;
  if (existsSync(DEBIAN_CHROMIUM)) executablePath = DEBIAN_CHROMIUM;
  else {
    const bundled = chromium.executablePath();
    if (bundled && existsSync(bundled)) executablePath = bundled;
  }
  if (!executablePath) {
    throw new Error(
      'No Chromium for the browser tests. Install one with `apt-get update && apt-get install -y chromium` (Debian) or `npx playwright install chromium`, then run the tests again.',
    );
  }
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

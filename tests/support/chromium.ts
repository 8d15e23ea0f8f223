import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium where it is installed, else a browser Playwright
 * downloaded itself (`npx playwright install chromium`); undefined with neither.
 */
export function chromiumPath(): string | undefined {
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const bundled = chromium.executablePath();
  return bundled && existsSync(bundled) ? bundled : undefined;
}

export const NO_CHROMIUM =
  'No Chromium for the browser tests. Install one with `apt-get update && apt-get install -y chromium` (Debian) or `npx playwright install chromium`, then run the tests again.';

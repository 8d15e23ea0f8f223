import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './tests/support/chromium';

// The browser tier: journeys in Chromium against the built server, shared by a
// worker's test files (tests/e2e/fixtures.ts). AUDIT=1 (`npm run test:audit`)
// adds the release audit: every look of every page, screenshots, Lighthouse.
export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.test.ts',
  globalSetup: './tests/support/e2e-setup.ts',
  outputDir: 'test-results/playwright',
  // Two workers, each with its own server: the tier spends much of its time
  // waiting on pages and timers (7.8 min with two on the 2-core machine; four
  // were slower and timed a long journey out).
  workers: 2,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  reporter: 'list',
  use: {
    browserName: 'chromium',
    // A trace costs a third more time, and CI keeps nothing but its log: traces
    // are kept on failure at a desk, and `--trace on` records them in CI's place.
    trace: process.env.CI ? 'off' : { mode: 'retain-on-failure', screenshots: false },
    launchOptions: {
      executablePath: chromiumPath(),
      args: CHROMIUM_ARGS,
    },
  },
});

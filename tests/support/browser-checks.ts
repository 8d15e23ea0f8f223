import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import type { ServerProcess } from './server-process';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Where the audit (`npm run test:audit`) saves the screenshots people look at (not committed). */
export const SHOTS = 'test-results/screenshots';
mkdirSync(SHOTS, { recursive: true });

/** WCAG 2.1 A and AA and axe's best practices: what every page of ours must pass. */
export const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] as const;

/**
 * The axe violations on the page as it is now, one line each: the rules of the
 * given tags, or just the given rules. axe goes in as an inline script, which
 * the pages' CSP rightly forbids: the context must bypass CSP.
 */
export async function axeViolations(page: Page, only: readonly string[] | { rules: readonly string[] } = WCAG_AA): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  const runOnly = Array.isArray(only)
    ? { type: 'tag' as const, values: [...only] }
    : { type: 'rule' as const, values: [...(only as { rules: readonly string[] }).rules] };
  return page.evaluate(async (runOnly) => {
    // Only violations are wanted: axe then skips the work of listing what passed.
    const result = await (window as Window & { axe?: typeof import('axe-core') }).axe!.run({ runOnly, resultTypes: ['violations'] });
    return result.violations.map(
      (v) =>
        `${v.id}: ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
  }, runOnly);
}

/** Signs in as the demo admin the server printed at its first start. */
export async function signInAsDemoAdmin(page: Page, server: ServerProcess): Promise<void> {
  await page.goto(server.url + '/admin');
  await page.waitForURL(/\/admin\/login/);
  await page.getByLabel('Email address').fill('admin@example.com');
  await page.getByLabel('Password').fill(server.adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/admin$/);
}

/** The wall-clock time `minutesAgo` minutes ago in the page's zone (the demo's Asia/Tokyo), as a datetime-local input wants it. */
export function tokyoLocal(minutesAgo: number): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo', dateStyle: 'short', timeStyle: 'short' })
    .format(new Date(Date.now() - minutesAgo * 60_000))
    .replace(' ', 'T');
}

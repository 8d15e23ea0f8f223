import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromiumPath } from '../support/chromium';
import { startServerProcess, type ServerProcess } from '../support/server-process';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const CLI = join(require.resolve('lighthouse/package.json'), '..', 'cli', 'index.js');
const CHROME = chromiumPath();

let server: ServerProcess;
test.beforeAll(async () => {
  server = await startServerProcess();
});
test.afterAll(async () => {
  await server?.stop();
});

test.describe('Lighthouse on the status page', () => {
  for (const locale of ['en', 'ja']) {
    test(`scores 100 for accessibility, best practices and SEO in ${locale}`, async () => {
      test.setTimeout(150_000);
      const out = join(server.postmortemsDir, `..`, `lighthouse-${locale}.json`);
      await run(
        process.execPath,
        [CLI, `${server.url}/${locale}/`, '--only-categories=accessibility,best-practices,seo', '--output=json', `--output-path=${out}`, '--quiet', '--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking'],
        { env: { ...process.env, CHROME_PATH: CHROME }, timeout: 120_000 },
      );
      const report = JSON.parse(readFileSync(out, 'utf8')) as { categories: Record<string, { score: number }>; audits: Record<string, { score: number | null; title: string }> };
      const failing = Object.entries(report.audits)
        .filter(([, a]) => a.score !== null && a.score < 1)
        .map(([id, a]) => `${id}: ${a.title}`);
      expect({ accessibility: report.categories.accessibility!.score, 'best-practices': report.categories['best-practices']!.score, seo: report.categories.seo!.score }, failing.join('\n')).toEqual({
        accessibility: 1,
        'best-practices': 1,
        seo: 1,
      });
    });
  }
});

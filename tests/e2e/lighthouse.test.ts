import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lighthouse from 'lighthouse';
import { fullChromiumPath } from '../support/chromium';
import type { ServerProcess } from '../support/server-process';
import { AUDIT, expect, test } from './fixtures';

/** Every kind of public page a reader can land on, in both languages (the embed is meant for other sites' frames and asks not to be indexed). */
const PUBLIC = ['/', '/history', '/incidents/jun18renewal', '/postmortems', '/postmortems/renewal-outage', '/components/{component}', '/api', '/subscribe'];
let componentId = '';

let server: ServerProcess;
let chrome: ChildProcess;
let port: number;
let profile: string;

/** One Chromium for every audit, reached over its DevTools port: a browser start per page would cost more than the audit. */
async function launchChrome(): Promise<void> {
  profile = mkdtempSync(join(tmpdir(), 'shirase-lighthouse-'));
  chrome = spawn(
    fullChromiumPath()!,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  port = await new Promise<number>((resolve, reject) => {
    let said = '';
    chrome.stderr!.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      const found = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(said);
      if (found) resolve(Number(found[1]));
    });
    chrome.once('exit', (code) => reject(new Error(`Chromium exited with ${code}: ${said}`)));
  });
}

// Lighthouse audits are part of the release audit (`npm run test:audit`); axe covers the same pages in every run.
test.skip(!AUDIT, 'part of npm run test:audit');

test.beforeAll(async ({ server: shared }) => {
  server = shared;
  // A component, not a group: groups have no page of their own.
  const components = (await (await fetch(server.url + '/api/v2/components.json')).json()) as { components: { id: string; group: boolean }[] };
  componentId = components.components.find((c) => !c.group)!.id;
  await launchChrome();
});
test.afterAll(async () => {
  // Chromium writes its profile until it has exited: wait for that before removing the folder.
  if (chrome && chrome.exitCode === null && chrome.signalCode === null) await new Promise((done) => chrome.once('exit', done).kill());
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test.describe('Lighthouse on every public page', () => {
  for (const locale of ['en', 'ja']) {
    test(`scores 100 for accessibility, best practices and SEO in ${locale}`, async () => {
      test.setTimeout(240_000);
      const scores: Record<string, Record<string, number>> = {};
      const failing: string[] = [];
      for (const path of PUBLIC) {
        const result = await lighthouse(`${server.url}/${locale}${path.replace('{component}', componentId)}`, {
          port,
          onlyCategories: ['accessibility', 'best-practices', 'seo'],
          output: 'json',
          logLevel: 'error',
        });
        const { categories, audits } = result!.lhr;
        scores[path] = Object.fromEntries(Object.entries(categories).map(([id, c]) => [id, c.score ?? 0]));
        for (const [id, a] of Object.entries(audits)) if (a.score !== null && a.score < 1) failing.push(`${path} ${id}: ${a.title}`);
      }
      const perfect = Object.fromEntries(PUBLIC.map((p) => [p, { accessibility: 1, 'best-practices': 1, seo: 1 }]));
      expect(scores, failing.join('\n')).toEqual(perfect);
    });
  }
});

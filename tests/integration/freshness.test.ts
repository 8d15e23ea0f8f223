import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { startTestSite, type TestSite } from '../support/test-server';
import { postIncidentUpdate } from '../../src/lib/incidents/post-update';
import { programArgs } from '../support/programs';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ seed: true });
});
afterAll(() => site?.close());

async function waitForPage(path: string, predicate: (html: string) => boolean, limitMs = 5_000): Promise<string> {
  const deadline = Date.now() + limitMs;
  let html = '';
  while (Date.now() < deadline) {
    html = await (await fetch(site.url + path)).text();
    if (predicate(html)) return html;
    await new Promise((r) => setTimeout(r, 25));
  }
  return html;
}

describe('public pages follow the log', () => {
  it('show an incident opened by another process', async () => {
    const before = await (await fetch(site.url + '/')).text();
    expect(before).toContain('All Systems Operational');
    const id = execFileSync(process.execPath, [...programArgs('tests/support/open-incident-process.ts'), site.databasePath, 'Queue backlog from the CLI'], {
      encoding: 'utf8',
    }).trim();
    const html = await waitForPage('/', (h) => h.includes('Queue backlog from the CLI'));
    expect(html).toContain('Queue backlog from the CLI');
    expect(html).toContain('Active incidents');
    expect(html).toContain(`href="/incidents/${id}"`);

    postIncidentUpdate(site.db, id, { status: 'identified', body: 'A stuck consumer; restarting it.' }, { now: Date.now() });
    const incidentPage = await waitForPage(`/incidents/${id}`, (h) => h.includes('A stuck consumer'));
    expect(incidentPage).toContain('A stuck consumer; restarting it.');
  });

  it('has every public page show a write once the server has caught up with it', async () => {
    const id = execFileSync(process.execPath, [...programArgs('tests/support/open-incident-process.ts'), site.databasePath, 'Second incident'], {
      encoding: 'utf8',
    }).trim();
    await site.server.checkForChanges();
    const [html, summary, incidentPage] = await Promise.all([
      fetch(site.url + '/').then((r) => r.text()),
      fetch(site.url + '/api/v2/summary.json').then((r) => r.text()),
      fetch(`${site.url}/incidents/${id}`).then((r) => r.text()),
    ]);
    expect(html).toContain(`href="/incidents/${id}"`);
    expect(summary).toContain(id);
    expect(incidentPage).toContain('Second incident');
  });
});

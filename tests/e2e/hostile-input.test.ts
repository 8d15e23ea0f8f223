import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { xssPayloads } from '../support/xss-corpus';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { createComponent } from '../../src/lib/components/create-component';
import { saveTemplate } from '../../src/lib/templates/save-template';
import { createApiToken } from '../../src/lib/auth/create-api-token';
import { previewUpdateEmail } from '../../src/lib/notifications/compose';

const payloads = xssPayloads();
let site: TestSite;
let browser: Browser;
let context: BrowserContext;
let postmortems: string;
const incidentIds: string[] = [];

test.beforeAll(async ({ browser: shared }) => {
  // One browser per worker, launched by Playwright with the options in playwright.config.ts.
  browser = shared;
  postmortems = mkdtempSync(join(tmpdir(), 'shirase-hostile-'));
  cpSync('content/postmortems', postmortems, { recursive: true });
  // The whole corpus as a postmortem written in an editor.
  writeFileSync(
    join(postmortems, '2026-01-01-hostile.md'),
    `---\ntitle: Hostile\nslug: hostile\ndate: 2026-01-01\nincidents: []\nsummary: test\npublished: 2026-01-01T00:00:00Z\n---\n\n${payloads.join('\n\n')}\n`,
  );
  // A site of its own: the corpus goes into every name and body, and would show on every other test's pages.
  site = await startTestSite({ seed: true, env: { POSTMORTEMS_DIR: postmortems } });
  const ctx = { now: Date.now() };
  // Every payload reaches a name and a body; names of components, templates and tokens get some too.
  for (let i = 0; i < payloads.length; i += 10) {
    const chunk = payloads.slice(i, i + 10);
    incidentIds.push(openIncident(site.db, { name: chunk[0]!.slice(0, 200), status: 'investigating', body: chunk.join('\n\n') }, ctx).incidentId);
  }
  for (const p of payloads.slice(0, 5)) createComponent(site.db, { name: p.slice(0, 200), description: p }, ctx);
  saveTemplate(site.db, undefined, { name: payloads[1]!.slice(0, 200), status: 'investigating', body: payloads.join('\n') }, ctx);
  createApiToken(site.db, { name: payloads[2]!.slice(0, 200), scopes: ['read'] }, ctx);
  await site.server.checkForChanges();
  // The page's CSP would stop most of these anyway; bypass it to test the escaping and sanitising themselves.
  context = await browser.newContext({ bypassCSP: true });
});

test.afterAll(async () => {
  await context?.close();
  await site?.close();
  rmSync(postmortems, { recursive: true, force: true });
});

/** Opens a page with traps for dialogs and script, then reports anything that ran or could run. */
async function inspect(page: Page, load: () => Promise<unknown>): Promise<string[]> {
  const ran: string[] = [];
  page.on('dialog', async (d) => {
    ran.push(`dialog: ${d.message()}`);
    await d.dismiss();
  });
  await load();
  await page.waitForTimeout(100);
  const suspicious = await page.evaluate(() => {
    const found: string[] = [];
    for (const el of Array.from(document.querySelectorAll('*'))) {
      for (const attr of Array.from(el.attributes)) {
        if (/^on/i.test(attr.name)) found.push(`${el.tagName} ${attr.name}`);
        if (/^(href|src|action|formaction|xlink:href)$/i.test(attr.name) && /^\s*(javascript|data|vbscript):/i.test(attr.value))
          found.push(`${el.tagName} ${attr.name}=${attr.value}`);
      }
      if (['IFRAME', 'OBJECT', 'EMBED', 'BASE'].includes(el.tagName)) found.push(el.tagName);
      // Every form of ours names its method; one that does not came from content.
      if (el.tagName === 'FORM' && !el.hasAttribute('method')) found.push('FORM');
    }
    for (const s of Array.from(document.scripts))
      if (!/\/(live|local-time|admin|uptime-strip|subscribe-form|push)\.js$/.test(s.src)) found.push(`script ${s.src || s.textContent?.slice(0, 40)}`);
    return found;
  });
  return [...ran, ...suspicious];
}

test.describe('hostile input', () => {
  test(`uses a corpus of ${payloads.length} payloads`, () => {
    expect(payloads.length).toBeGreaterThanOrEqual(100);
  });

  test('has traps that catch script when it does run', async () => {
    const page = await context.newPage();
    const caught = await inspect(page, () => page.setContent('<img src=x onerror="alert(1)"><a href="javascript:void(0)">x</a>'));
    expect(caught).toEqual(expect.arrayContaining(['dialog: 1', 'IMG onerror']));
    await page.close();
  });

  test('runs nothing on the public pages', async () => {
    const page = await context.newPage();
    for (const path of ['/', '/history', ...incidentIds.map((id) => `/incidents/${id}`), '/postmortems/hostile', '/ja/']) {
      expect(await inspect(page, () => page.goto(site.url + path)), path).toEqual([]);
    }
    await page.close();
  });

  test('runs nothing on the admin pages', async () => {
    const staff = await signedInStaff(site);
    const [name, value] = staff.cookie.split('=');
    await context.addCookies([{ name: name!, value: value!, url: site.url }]);
    const page = await context.newPage();
    for (const path of [
      '/admin',
      `/admin/incidents/${incidentIds[0]}`,
      '/admin/components',
      '/admin/templates',
      '/admin/tokens',
      '/admin/audit',
      '/admin/postmortems',
      '/admin/postmortems/edit?file=2026-01-01-hostile.md',
    ]) {
      expect(await inspect(page, () => page.goto(site.url + path)), path).toEqual([]);
    }
    await page.close();
  });

  test('runs nothing when a hostile subscriber address comes back in the form', async () => {
    // The typed address comes back inside a value attribute: what could break out of one carries a quote or closes a tag.
    const breakingOut = payloads.filter((p) => /["'`]|<\//.test(p)).slice(0, 12);
    expect(breakingOut).toHaveLength(12);
    test.setTimeout(90_000);
    const page = await context.newPage();
    for (const payload of breakingOut) {
      const found = await inspect(page, async () => {
        await page.goto(site.url + '/subscribe');
        await page.fill('#sub-email', payload);
        await page.click('button[type=submit]');
        await page.waitForLoadState('load');
      });
      expect(found, payload).toEqual([]);
    }
    await page.close();
  });

  test('runs nothing in an email built from the hostile text', async () => {
    const page = await context.newPage();
    const mail = previewUpdateEmail(site.db, site.config, incidentIds[0]!, { status: 'identified', body: payloads.join('\n\n') }, 'en', Date.now())!;
    expect(await inspect(page, () => page.setContent(mail.html))).toEqual([]);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    await page.close();
  });
});

// A private status page over the real server: strangers get the sign-in page
// (401, and a plain 401 from the API, feeds and live updates), a viewer signs
// in by the link a real SMTP server on loopback receives, and is served the
// page as their group sees it, never kept by a shared cache.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusPages } from '../../db/schema';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { addPage } from '../../src/lib/pages/add-page';
import { setViewerRules } from '../../src/lib/viewers/viewer-access';
import { askAs } from '../support/api-and-text';
import { decodeQuotedPrintable, startSmtpSink } from '../support/smtp-sink';
import { startTestSite, type TestSite } from '../support/test-server';
import { until } from '../support/until';

const PARTNERS = 'status.partners.example.com';
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let site: TestSite;
let ios: string;
let web: string;
let onlyHere: string;

const ask = (path: string, options: Parameters<typeof askAs>[3] = {}, host: string | undefined = PARTNERS) => askAs(site, path, host, options);
const form = (fields: Record<string, string>, cookie?: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', origin: `http://${PARTNERS}`, ...(cookie ? { cookie } : {}) },
  body: new URLSearchParams(fields).toString(),
});

beforeAll(async () => {
  sink = await startSmtpSink();
  site = await startTestSite({ seed: true, env: { SMTP_URL: sink.url, MAIL_PER_SECOND: '1000' } });
  const id = (name: string) => site.db.$client.prepare('SELECT id FROM components WHERE name = ?').pluck().get(name) as string;
  ios = id('iOS app');
  web = id('Web app');
  const now = Date.now();
  const { pageId } = addPage(site.db, { slug: 'partners', name: 'Partner status', hosts: [PARTNERS], componentIds: [ios, web] }, { now });
  // No way in makes a page private yet (the admin screens come next); the serving under test needs only the row.
  site.db.update(statusPages).set({ private: true }).where(eq(statusPages.id, pageId)).run();
  setViewerRules(
    site.db,
    pageId,
    [
      { pattern: '@acme.example', componentIds: null },
      { pattern: 'ops@other.example', componentIds: [ios] },
    ],
    now,
  );
  onlyHere = openIncident(
    site.db,
    { name: 'Partner API keys rotating', status: 'investigating', body: 'Keys are being rotated.', page: 'partners' },
    { now },
  ).incidentId;
  await site.server.checkForChanges();
});
afterAll(async () => {
  await site?.close();
  await sink?.close();
});

/** Asks for a link at the page, follows it from the mail and presses the button: the viewer's cookie. */
async function signIn(email: string): Promise<string> {
  const asked = await ask('/viewer/sign-in', form({ email }));
  expect(asked.status).toBe(303);
  expect(asked.headers.location).toBe('/viewer/sign-in?sent=1');
  const mail = await until(() => sink.for(email).find((m) => m.subject.includes('sign in')));
  const link = new URL(/https?:\/\/\S+?\/viewer\/sign-in\?token=[\w.-]+/.exec(decodeQuotedPrintable(mail.raw))![0]);
  expect(link.host).toBe(PARTNERS);
  const page = await ask(link.pathname + link.search);
  expect(page.status).toBe(200);
  expect(page.text).toContain('Sign in to Partner status');
  const signedIn = await ask(link.pathname + link.search, form({ intent: 'sign-in' }));
  expect(signedIn.status).toBe(303);
  const cookie = String(signedIn.headers['set-cookie']);
  expect(cookie).toMatch(/^shirase_viewer=[\w-]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax/);
  return cookie.split(';')[0]!;
}

describe('a stranger', () => {
  it('gets the sign-in page where the page would be, and a plain 401 from the API, feeds and live updates, none kept by a shared cache', async () => {
    for (const path of ['/', '/ja/', '/history', `/incidents/${onlyHere}`]) {
      const page = await ask(path);
      expect(page.status, path).toBe(401);
      expect(page.text, path).toMatch(/Sign in to Partner status|Partner status にサインイン/);
      expect(page.text, path).not.toContain('Partner API keys rotating');
      expect(page.headers['cache-control'], path).toMatch(/^private/);
    }
    for (const path of ['/api/v2/summary.json', '/feed.atom', '/maintenance.ics', '/live.json', '/events']) {
      const answer = await ask(path);
      expect(answer.status, path).toBe(401);
      expect(answer.text, path).not.toContain('Partner API keys rotating');
      expect(answer.headers['cache-control'], path).toBe('private, no-store');
    }
    // The subscription form is the viewers' too.
    expect((await ask('/subscribe')).status).toBe(401);
  });

  it('who asks for a link with an address the page does not let in gets the same answer and no mail', async () => {
    const asked = await ask('/viewer/sign-in', form({ email: 'eve@elsewhere.example' }));
    expect(asked.status).toBe(303);
    expect(asked.headers.location).toBe('/viewer/sign-in?sent=1');
    const bad = await ask('/viewer/sign-in', form({ email: 'not an address' }));
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('not an address');
  });

  it('finds nothing of the private page on the public one', async () => {
    const summary = JSON.parse((await ask('/api/v2/summary.json', {}, 'status.example.com')).text) as { incidents: { id: string }[] };
    expect(summary.incidents.map((i) => i.id)).not.toContain(onlyHere);
    expect((await ask('/feed.atom', {}, 'status.example.com')).text).not.toContain('Partner API keys rotating');
    expect((await ask(`/incidents/${onlyHere}`, {}, 'status.example.com')).status).toBe(404);
  });
});

describe('a viewer', () => {
  it('signs in by the emailed link and sees the page, kept by no shared cache', async () => {
    const cookie = await signIn('dana@acme.example');
    const page = await ask('/', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Partner API keys rotating');
    expect(page.text).toContain('Web app');
    expect(page.headers['cache-control']).toBe('private, no-cache');
    const summary = JSON.parse((await ask('/api/v2/summary.json', { headers: { cookie } })).text) as { components: { id: string; group: boolean }[] };
    expect(
      summary.components
        .filter((c) => !c.group)
        .map((c) => c.id)
        .sort(),
    ).toEqual([ios, web].sort());
    const live = await ask('/live.json', { headers: { cookie } });
    expect(live.status).toBe(200);
    expect(live.headers['cache-control']).toBe('private, no-cache');
    // A made-up cookie is nobody.
    expect((await ask('/', { headers: { cookie: 'shirase_viewer=made-up' } })).status).toBe(401);
    // Signing out, from the button every page of theirs carries, ends it at once.
    expect(page.text).toContain('Sign out of this page');
    const out = await ask('/viewer/sign-out', form({}, cookie));
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/viewer/sign-in');
    expect((await ask('/', { headers: { cookie } })).status).toBe(401);
  });

  it('of a group that sees some components sees only those', async () => {
    const cookie = await signIn('ops@other.example');
    const summary = JSON.parse((await ask('/api/v2/summary.json', { headers: { cookie } })).text) as { components: { id: string; group: boolean }[] };
    expect(summary.components.filter((c) => !c.group).map((c) => c.id)).toEqual([ios]);
    const page = await ask('/', { headers: { cookie } });
    expect(page.text).toContain('iOS app');
    expect(page.text).not.toContain('Web app');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { MAX_POSTMORTEM_CHARS } from '../../src/lib/postmortems/save-postmortem';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ seed: true });
}, 60_000);
afterAll(() => site?.close());

const repeat = (unit: string, n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

describe('the live Markdown preview, sent the worst shapes at its longest', () => {
  it('answers each, and the staff screens rendered on the same threads still answer', async () => {
    const staff = await signedInStaff(site);
    // Each of these pinned a render thread for minutes on marked 16 or 18 alone.
    for (const markdown of [
      repeat('[a](', MAX_POSTMORTEM_CHARS),
      repeat('*a_', MAX_POSTMORTEM_CHARS),
      repeat('1. ', MAX_POSTMORTEM_CHARS),
      repeat('<b>', MAX_POSTMORTEM_CHARS),
    ]) {
      const res = await fetch(`${site.url}/admin/preview`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: staff.cookie, origin: site.url },
        body: JSON.stringify({ markdown }),
        // Far above the half second or so 200,000 characters of ordinary text take here; the old code took minutes.
        signal: AbortSignal.timeout(15_000),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { html: string }).html.length).toBeGreaterThan(0);
    }
    const admin = await staff.get('/admin');
    expect(admin.status).toBe(200);
    expect((await fetch(`${site.url}/`)).status).toBe(200);
  }, 90_000);
});

describe('the preview of an update, sent a hostile set of fields', () => {
  it('reads the fields a form could send, ignores the rest, and pollutes nothing', async () => {
    const staff = await signedInStaff(site);
    const webApp = site.db.$client.prepare("select id from components where name = 'Web app'").pluck().get() as string;
    // Names that mean something to JavaScript, a time no calendar has, values that are not text, then far
    // more made-up components than any form has (the body stays under the 1 MiB cap).
    const hostile = '"__proto__":{"status":"resolved"},"constructor":"x","displayAt":"99999-99-99T99:99","startedAt":{"nested":[1,2]}';
    const made = Object.fromEntries(Array.from({ length: 25_000 }, (_, i) => [`component:${String(i).padStart(12, 'z')}`, 'major_outage']));
    const fields = `{${hostile},"status":"investigating","component:${webApp}":"partial_outage",${JSON.stringify(made).slice(1)}`;
    const body = `{"markdown":"Errors on {{components}}.","incidentId":"../../etc/passwd","fields":${fields}}`;
    expect(body.length).toBeLessThan(1024 * 1024);
    const res = await fetch(`${site.url}/admin/preview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: staff.cookie, origin: site.url },
      body,
      signal: AbortSignal.timeout(15_000),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { html: string }).html).toBe('<p>Errors on Web app.</p>\n');
    // The test site renders in this process: nothing reached Object's prototype.
    expect(({} as Record<string, unknown>).status).toBeUndefined();
    // Fields that are not an object are no fields at all: the text is shown as written.
    for (const notFields of ['"status=resolved"', '[["status","resolved"]]', 'null']) {
      const plain = await fetch(`${site.url}/admin/preview`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: staff.cookie, origin: site.url },
        body: `{"markdown":"Errors on {{components}}.","fields":${notFields}}`,
      });
      expect(((await plain.json()) as { html: string }).html, notFields).toBe('<p>Errors on {{components}}.</p>\n');
    }
  });
});

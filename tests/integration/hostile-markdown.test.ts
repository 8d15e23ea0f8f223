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

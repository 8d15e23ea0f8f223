import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { incidents } from '../../db/schema';
import { startTestSite, type TestSite } from '../support/test-server';

let site: TestSite;
let june18Id: string;

beforeAll(async () => {
  site = await startTestSite({ seed: true });
  june18Id = site.db.select({ id: incidents.id }).from(incidents).where(eq(incidents.name, 'Service unavailable after the renewal release')).get()!.id;
});
afterAll(() => site?.close());

const get = (path: string, headers: Record<string, string> = {}) => fetch(site.url + path, { headers, redirect: 'manual' });

describe('the status page', () => {
  it('shows the banner, the components by group, uptime strips and the time zone', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('All Systems Operational');
    expect(html).toMatch(/<h3 id="group-[a-z0-9]{12}">Apps<\/h3>/);
    for (const name of ['Web app', 'iOS app', 'Android app', 'API', 'Sign-in', 'Notifications']) expect(html).toContain(name);
    expect(html.match(/class="cell cell-/g)!.length).toBe(90 * 7);
    expect(html).toContain('Asia/Tokyo');
    expect(html).toContain('partial outage counts 30 % as down');
    expect(html).toContain('Cache cluster replacement');
    expect(html).toContain('Push notifications delayed on Android');
  });

  it('hides a component marked "only show if degraded" while it is operational', async () => {
    const html = await (await get('/')).text();
    expect(html).not.toContain('Calendar and chat integrations');
  });

  it('sends security headers and cache headers a CDN can use', async () => {
    const res = await get('/');
    expect(res.headers.get('cache-control')).toBe('public, max-age=10, s-maxage=2, stale-while-revalidate=30, stale-if-error=86400');
    // nginx's own count of the same lifetime (it keeps a copy until the whole second after it ends).
    expect(res.headers.get('x-accel-expires')).toBe('1');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('vary')).toBe('Accept-Encoding, Accept-Language');
  });

  it('answers a conditional request with 304 and the same ETag', async () => {
    const first = await get('/', { 'accept-encoding': 'gzip' });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+-gzip"$/);
    await first.arrayBuffer();
    const again = await get('/', { 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
  });

  it('compresses with brotli or gzip as the client asks', async () => {
    // fetch decodes bodies itself, so read the raw headers with node:http.
    const { request } = await import('node:http');
    const encodingFor = (accept: string) =>
      new Promise<string | undefined>((resolve, reject) => {
        request(site.url + '/', { headers: { 'accept-encoding': accept } }, (res) => {
          res.resume();
          resolve(res.headers['content-encoding']);
        })
          .on('error', reject)
          .end();
      });
    expect(await encodingFor('br, gzip')).toBe('br');
    expect(await encodingFor('gzip')).toBe('gzip');
    expect(await encodingFor('identity')).toBeUndefined();
  });
});

describe('an incident page', () => {
  it('shows the June 18 timeline grouped by day with impact, times and duration', async () => {
    const res = await get(`/incidents/${june18Id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Service unavailable after the renewal release');
    expect(html).toContain('Monday, 18 June 2018');
    expect(html).toContain('Tuesday, 19 June 2018');
    expect(html).toContain('19 h 40 min');
    expect(html).toContain('Critical');
    expect(html).toContain('heavy load on the cache server');
    expect(html.match(/class="update"/g)!.length).toBe(15);
    // Newest first, as the status page's cards read: 23:00 comes before 07:00.
    const at0700 = html.indexOf('<time datetime="2018-06-17T22:00:00.000Z"');
    const at2300 = html.indexOf('<time datetime="2018-06-18T14:00:00.000Z"');
    expect(at2300).toBeGreaterThan(0);
    expect(at2300).toBeLessThan(at0700);
  });

  it('answers 404 with a way back for an unknown or malformed id', async () => {
    for (const path of ['/incidents/zzzzzzzzzzzz', '/incidents/not-an-id', '/incidents/%2e%2e%2fetc%2fpasswd', '/no-such-page']) {
      // Another spelling of a path is first sent to the canonical one.
      const res = await fetch(site.url + path);
      expect(res.status, path).toBe(404);
      const html = await res.text();
      expect(html).toContain('Page not found');
      expect(html).toContain('href="/"');
    }
  });
});

describe('the history', () => {
  it('lists incidents and maintenance by month, each linking to its page', async () => {
    const html = await (await get('/history')).text();
    expect(html).toContain('June 2018');
    expect(html).toContain(`href="/incidents/${june18Id}"`);
    expect(html).toContain('Renewal release: planned maintenance');
  });

  it('never fails on a bad page parameter', async () => {
    for (const q of ['?page=abc', '?page=-1', '?page=1e9', '?page[]=2']) {
      const res = await get('/history' + q);
      expect(res.status, q).toBe(200);
    }
    // A page past the end does not exist: the shared 404, with a way back, rendered once for all such pages.
    const past = await get('/history?page=99999');
    expect(past.status).toBe(404);
    expect(await past.text()).toContain('href="/"');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../support/test-server';
import { signedInStaff } from '../support/staff';
import { openIncident } from '../../src/lib/incidents/open-incident';
import { rawRequest } from '../support/raw-http';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({ seed: true });
});
afterAll(() => site?.close());

describe('every response', () => {
  it('carries the security headers, whatever produced it', async () => {
    const staff = await signedInStaff(site);
    const responses = [
      await fetch(site.url + '/'),
      await fetch(site.url + '/styles.css'),
      await fetch(site.url + '/api/v2/summary.json'),
      await fetch(site.url + '/incidents/zzzzzzzzzzzz'),
      await fetch(site.url + '/subscribe'),
      await fetch(site.url + '/admin/login'),
      await staff.get('/admin'),
      await fetch(site.url + '/api/v1/incidents', { method: 'POST' }),
    ];
    for (const res of responses) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, res.url).toContain("script-src 'self'");
      expect(csp, res.url).not.toContain('unsafe-inline');
      expect(csp, res.url).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options'), res.url).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), res.url).toBe('strict-origin-when-cross-origin');
    }
    expect((await staff.get('/admin')).headers.get('cache-control')).toBe('private, no-store');
  });

  it('adds HSTS only when the site is served over https', async () => {
    expect((await fetch(site.url + '/')).headers.get('strict-transport-security')).toBeNull();
    const https = await startTestSite({ seed: false, env: { SITE_URL: 'https://status.example.com' } });
    try {
      expect((await fetch(https.url + '/')).headers.get('strict-transport-security')).toContain('max-age=');
    } finally {
      await https.close();
    }
  });
});

describe('hostile requests', () => {
  it('answers an oversized body with 413 before reading it', async () => {
    const res = await fetch(site.url + '/subscribe', {
      method: 'POST',
      body: 'x'.repeat(2 * 1024 * 1024),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: site.url },
    });
    expect(res.status).toBe(413);
  });

  it('stores SQL metacharacters verbatim and shows them escaped', async () => {
    const name = `Robert'); DROP TABLE incidents;-- "quoted" <b>bold</b> & more`;
    const { incidentId } = openIncident(site.db, { name, status: 'investigating', body: "1' OR '1'='1" }, { now: Date.now() });
    const html = await (await fetch(`${site.url}/incidents/${incidentId}`)).text();
    expect(html).toContain('Robert&#39;); DROP TABLE incidents;-- &quot;quoted&quot; &lt;b&gt;bold&lt;/b&gt; &amp; more');
    expect(site.db.$client.prepare('select name from incidents where id = ?').pluck().get(incidentId)).toBe(name);
  });

  it('answers path traversal in ids and slugs with 404', async () => {
    for (const path of [
      '/incidents/..%2F..%2Fetc%2Fpasswd',
      '/postmortems/..%2F..%2Fpackage.json',
      '/postmortems/../../package',
      '/badge/..%2Fx.svg',
      '/feed/..%2F..%2Fdb.rss',
      '/history/page/..%2F..',
    ]) {
      const res = await fetch(site.url + path);
      expect([404, 200], path).toContain(res.status);
      expect(await res.text(), path).not.toContain('"name": "shirase"');
    }
    expect((await fetch(site.url + '/postmortems/..%2F..%2Fpackage.json')).status).toBe(404);
  });
});

describe('the address a request was sent to', () => {
  it('is no host at all when the Host header is not a host, so a form sent through it fails the cross-site check', async () => {
    const body = 'email=ops%40example.com&password=wrong';
    for (const host of ['elsewhere.example/x', 'user@elsewhere.example', 'elsewhere.example?', 'a'.repeat(400)]) {
      const origin = `http://${host}`;
      const res = await rawRequest(site.url, '/admin/login', {
        method: 'POST',
        headers: { host, origin, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
        body,
      });
      expect([host.slice(0, 30), res.status]).toEqual([host.slice(0, 30), 403]);
    }
  });
});

describe('the client address', () => {
  const subscribeFrom = (target: TestSite, forwardedFor: string, n: number) =>
    fetch(target.url + '/subscribe', {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ email: `spoof-${n}-${Date.now()}@example.com`, scope: 'all', locale: 'en' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: target.url, 'x-forwarded-for': forwardedFor },
    });

  it('cannot be chosen by the client with X-Forwarded-For, so per-client limits hold', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await subscribeFrom(site, `203.0.113.${i}`, i)).status);
    expect(statuses.slice(0, 20), String(statuses)).toEqual(Array(20).fill(303));
    expect(statuses[20]).toBe(429);
  });

  it('is taken from X-Forwarded-For when a proxy in front is trusted to set it', async () => {
    const proxied = await startTestSite({ seed: true, env: { TRUST_PROXY: '1' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) statuses.push((await subscribeFrom(proxied, `203.0.113.${i}`, i)).status);
      expect(statuses, String(statuses)).toEqual(Array(21).fill(303));
    } finally {
      await proxied.close();
    }
  });
});

import { request } from 'node:http';
import type { TestSite } from './test-server';

/**
 * The write API of the site `site()` gives (started in a beforeAll) as a tool
 * calls it: JSON with a Bearer token (none when null). A string body is sent
 * as it is, for malformed JSON.
 */
export function apiCaller(site: () => Pick<TestSite, 'url'>) {
  return (method: string, path: string, bearer: string | null, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${site().url}/api/v1/${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers },
      body: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body),
    });
}

/** The text of a page with tags stripped and entities for quotes read, to look for what a person sees. */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replaceAll('&quot;', '"')
    .replaceAll('&#34;', '"')
    .replaceAll('&#39;', "'")
    .replace(/\s+/g, ' ');
}

/**
 * A request with the Host header a browser at that name sends (fetch cannot
 * set one): how a test reaches one status page of several on one server.
 */
export function askAs(
  site: Pick<TestSite, 'url'>,
  path: string,
  host?: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  const url = new URL(site.url + path);
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: { ...(host ? { host } : {}), ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

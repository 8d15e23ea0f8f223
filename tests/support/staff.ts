import { createUser } from '../../src/lib/auth/create-user';
import type { TestSite } from './test-server';

let counter = 0;

/** A staff account with a unique address, and a cookie-carrying client signed in as it. */
export async function signedInStaff(site: TestSite, role: 'admin' | 'editor' = 'admin') {
  const email = `staff${++counter}-${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  await createUser(site.db, { email, role, password }, { now: Date.now() });
  const res = await postForm(site, '/admin/login', { email, password });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (res.status !== 303 || !cookie) throw new Error(`sign-in failed with ${res.status}`);
  return {
    email,
    cookie,
    post: (path: string, fields: Record<string, string | string[]>, origin = site.url) => postForm(site, path, fields, { cookie, origin }),
    get: (path: string) => fetch(site.url + path, { headers: { cookie }, redirect: 'manual' }),
  };
}

/** A form POST as a browser sends it: urlencoded, with an Origin header. */
export function postForm(
  site: TestSite,
  path: string,
  fields: Record<string, string | string[]>,
  options: { cookie?: string; origin?: string; address?: string } = {},
) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  return fetch(site.url + path, {
    method: 'POST',
    body,
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: options.origin ?? site.url,
      ...(options.cookie ? { cookie: options.cookie } : {}),
      // Believed only by a site started with TRUST_PROXY=1.
      ...(options.address ? { 'x-forwarded-for': options.address } : {}),
    },
  });
}

import { describe, expect, it } from 'vitest';
import { canonicalTarget } from '../../src/server/request-target';

describe('the canonical request target', () => {
  it.each([
    ['/', '/'],
    ['/admin/audit', '/admin/audit'],
    ['//admin/audit', '/admin/audit'],
    ['///admin//audit', '/admin/audit'],
    ['/./admin/audit', '/admin/audit'],
    ['/x/../admin/audit', '/admin/audit'],
    ['/../../admin', '/admin'],
    ['/admin/%2e/audit', '/admin/audit'],
    ['/admin/%2E%2E/admin/audit', '/admin/audit'],
    ['/%61dmin/audit', '/admin/audit'],
    ['/\\admin\\audit', '/admin/audit'],
    ['/admin%2faudit', '/admin%2Faudit'],
    ['/admin/audit/', '/admin/audit/'],
    ['/admin/..', '/'],
    ['/history?page=2', '/history?page=2'],
    ['//history?next=//evil', '/history?next=//evil'],
    ['http://evil.example/admin/audit?x=1', '/admin/audit?x=1'],
    ['/ja//admin', '/ja/admin'],
  ])('%s is %s', (raw, canonical) => {
    expect(canonicalTarget(raw)).toBe(canonical);
  });

  it('is the same when applied twice', () => {
    for (const raw of ['//a/./b/../c/', '/%7euser/%41', '/a%2fb/%2e%2e/c', '/\\\\x']) {
      const once = canonicalTarget(raw)!;
      expect(canonicalTarget(once)).toBe(once);
    }
  });

  it('refuses what cannot be a path of the site', () => {
    for (const raw of ['*', 'evil.example:443', '/a%zz', '/a%2', '/a\u0000b', 'javascript:alert(1)']) expect(canonicalTarget(raw), raw).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { addressKey } from '../../src/lib/auth/address-key';

describe('the address throttling counts by', () => {
  it('is the /64 for IPv6, so one host cannot walk through its own prefix', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
  });

  it('is the IPv4 address itself, however it is written', () => {
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('203.0.113.7')).not.toBe(addressKey('203.0.113.8'));
  });
});

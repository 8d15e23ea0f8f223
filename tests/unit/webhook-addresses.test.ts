import { describe, expect, it } from 'vitest';
import { addressAllowed } from '../../src/lib/notifications/webhook-request';

describe('which addresses a webhook may connect to', () => {
  it.each([
    ['93.184.215.14', true],
    ['2606:4700::6810:85e5', true],
    ['127.0.0.1', false],
    ['127.255.0.9', false],
    ['::1', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['192.168.1.1', false],
    ['100.64.0.1', false],
    ['169.254.169.254', false],
    ['fe80::1', false],
    ['fd00::1', false],
    ['224.0.0.1', false],
    ['ff02::1', false],
    ['0.0.0.0', false],
    ['::', false],
    ['255.255.255.255', false],
    ['240.0.0.1', false],
    ['192.0.2.1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false],
    ['::ffff:169.254.169.254', false],
    ['64:ff9b::7f00:1', false],
    ['2002:7f00:1::', false],
    ['0177.0.0.1', false],
    ['not an address', false],
  ])('%s → %s by default', (address, allowed) => {
    expect(addressAllowed(address, false)).toBe(allowed);
  });

  it('opens loopback and private networks, and nothing else, with WEBHOOK_ALLOW_PRIVATE=1', () => {
    for (const address of ['127.0.0.1', '::1', '10.0.0.5', '192.168.0.2', 'fd12::3', '::ffff:192.168.0.2'])
      expect(addressAllowed(address, true), address).toBe(true);
    for (const address of ['169.254.169.254', 'fe80::1', '0.0.0.0', '::', '224.0.0.1', '255.255.255.255'])
      expect(addressAllowed(address, true), address).toBe(false);
  });

  it('refuses the IPv4-compatible spelling of an address, which ipaddr.js calls unicast', () => {
    for (const address of ['::7f00:1', '::127.0.0.1', '::a00:1', '::a9fe:a9fe']) expect(addressAllowed(address, false), address).toBe(false);
    // Even where private networks are allowed, the hex spelling does not pass as an ordinary address.
    for (const address of ['::7f00:1', '::a9fe:a9fe']) expect(addressAllowed(address, true), address).toBe(false);
  });
});

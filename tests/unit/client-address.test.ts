import { describe, expect, it } from 'vitest';
import { clientAddresses } from '../../src/server/client-address';

describe('trusted proxies', () => {
  it('with a hop count, are only the connections from this host or a private network', () => {
    const clients = clientAddresses({ hops: 1 });
    for (const address of ['127.0.0.1', '::1', '10.0.0.5', '192.168.1.2', 'fd00::1']) expect(clients.isProxy(address), address).toBe(true);
    for (const address of ['203.0.113.5', '2001:db8::1']) expect(clients.isProxy(address), address).toBe(false);
  });

  it('with addresses, are those addresses only', () => {
    const clients = clientAddresses({ addresses: ['10.0.0.5'] });
    expect(clients.isProxy('10.0.0.5')).toBe(true);
    expect(clients.isProxy('10.0.0.6')).toBe(false);
  });

  it('without a setting, are nobody', () => {
    expect(clientAddresses(null).isProxy('127.0.0.1')).toBe(false);
  });
});

import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import type { TrustProxy } from '../lib/config';

export interface ClientAddresses {
  /** The client a request speaks for: the connection's address, or past trusted proxies the rightmost untrusted X-Forwarded-For entry. */
  of(req: IncomingMessage): string;
  /** Whether a connection comes from a trusted proxy, whose many clients share its address. */
  isProxy(address: string): boolean;
}

/**
 * Who the client is. X-Forwarded-For is read right to left and believed only
 * as far as the hops are trusted proxies: the leftmost entries are whatever
 * the client wrote, so reading from the left would let it pick its address
 * (and with it, dodge every per-address limit).
 */
export function clientAddresses(trust: TrustProxy): ClientAddresses {
  if (!trust) return { of: (req) => req.socket.remoteAddress ?? '', isProxy: () => false };
  if ('hops' in trust) {
    const hops = trust.hops;
    // A hop count names no addresses; proxies sit on the same host or a private network, so only those connections count as a proxy's.
    const nearby = proxyAddr.compile(['loopback', 'linklocal', 'uniquelocal']);
    return { of: (req) => proxyAddr(req, (_address, i) => i < hops), isProxy: (address) => nearby(address, 0) };
  }
  const trusted = proxyAddr.compile(trust.addresses);
  return { of: (req) => proxyAddr(req, trusted), isProxy: (address) => trusted(address, 0) };
}

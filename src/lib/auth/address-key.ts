import ipaddr from 'ipaddr.js';

/**
 * The part of a client address that throttling counts by. One IPv6 host is
 * usually given a whole /64, so counting single IPv6 addresses would give it
 * billions of fresh allowances; an IPv4-mapped address counts as its IPv4.
 */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}

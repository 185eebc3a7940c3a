// The key a client address is counted under: IPv4 as is, IPv6 by its /64 (one subscriber's whole network).
import { isIPv4, isIPv6 } from 'node:net';

/**
 * `::ffff:192.0.2.1` -> `192.0.2.1`; `2001:db8:1:2:aaaa::1` -> `2001:db8:1:2::/64`, since a single host usually
 * holds a whole /64 and could otherwise step through addresses to escape a per-address limit.
 */
export function clientAddressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIPv4(ip) || !isIPv6(ip)) return ip || 'unknown';
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

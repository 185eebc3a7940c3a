// The key a client address is counted under: IPv4 as is, IPv6 by its /64 (one subscriber's whole network).
import { isIPv4, isIPv6 } from 'node:net';

/**
 * `::ffff:192.0.2.1` (in any spelling) -> `192.0.2.1`; `2001:db8:1:2:aaaa::1` -> `2001:db8:1:2::/64`, since a
 * single host usually holds a whole /64 and could otherwise step through addresses to escape a per-address limit.
 * Anything else (not an address) is its own key.
 */
export function clientAddressKey(ip: string): string {
  if (isIPv4(ip)) return ip;
  // A zone (`fe80::1%eth0`) names the interface, not the client.
  const address = ip.replace(/%.*$/, '');
  if (!isIPv6(address)) return ip || 'unknown';
  const groups = ipv6Groups(address);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    // IPv4-mapped: the IPv4 client it is.
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail as two groups). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail = ''] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const zeros = text.includes('::') ? Array<string>(8 - left.length - right.length).fill('0') : [];
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16));
}

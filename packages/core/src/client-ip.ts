import { BlockList, isIPv4 } from 'node:net';
import { normalizeIp, stripPort } from './ip';

/**
 * Who is allowed to tell us the client's address. Entries: an address (`10.0.0.7`),
 * a CIDR (`10.0.0.0/8`, `fd00::/8`), or a named range: `loopback`, `private`.
 */
export type TrustedProxy = string;

const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
};

/** Only this many `X-Forwarded-For` hops are looked at; a longer header is an attack. */
const MAX_FORWARDED_HOPS = 32;
const MAX_FORWARDED_HEADER_LENGTH = 2048;

/** A compiled set of trusted proxies: `has(ip)` answers from a `net.BlockList`. */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(entries: readonly TrustedProxy[] = []) {
    let size = 0;
    for (const entry of entries) {
      for (const range of NAMED_RANGES[entry] ?? [entry]) {
        this.add(range, entry);
        size++;
      }
    }
    this.size = size;
  }

  private add(range: string, original: string): void {
    const [address = '', prefixText] = range.split('/');
    const ip = normalizeIp(address);
    if (ip === undefined) {
      throw new TypeError(
        `trustedProxies: "${original}" is not an IP address, a CIDR range or one of ` +
          `${Object.keys(NAMED_RANGES).join(', ')}.`,
      );
    }
    const family = isIPv4(ip) ? 'ipv4' : 'ipv6';
    if (prefixText === undefined) {
      this.list.addAddress(ip, family);
      return;
    }
    const prefix = Number(prefixText);
    const max = family === 'ipv4' ? 32 : 128;
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw new TypeError(`trustedProxies: "${original}" has an invalid prefix length.`);
    }
    this.list.addSubnet(ip, prefix, family);
  }

  has(ip: string): boolean {
    if (this.size === 0) return false;
    return this.list.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6');
  }
}

/**
 * Resolves the client's address.
 *
 * Without trusted proxies this is the peer address of the TCP connection. With them,
 * `X-Forwarded-For` is read right to left, starting from the peer: each hop that is a
 * trusted proxy hands us the address it saw, and the first hop that is not trusted is
 * the client. A client can prepend whatever it likes to the header, which is why the
 * leftmost entry is never trusted blindly. Malformed headers never throw: the walk
 * stops at the last address a trusted hop vouched for.
 */
export function resolveClientIp(
  remoteAddress: unknown,
  forwardedFor: unknown,
  trusted: TrustedProxies,
): string {
  let address = normalizeIp(remoteAddress) ?? 'unknown';
  if (!trusted.has(address)) return address;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  if (typeof header !== 'string' || header.length === 0) return address;
  const hops = header.slice(-MAX_FORWARDED_HEADER_LENGTH).split(',');
  const firstHop = Math.max(0, hops.length - MAX_FORWARDED_HOPS);
  for (let index = hops.length - 1; index >= firstHop; index--) {
    const hop = normalizeIp(stripPort((hops[index] ?? '').trim()));
    if (hop === undefined) return address;
    address = hop;
    if (!trusted.has(address)) return address;
  }
  return address;
}

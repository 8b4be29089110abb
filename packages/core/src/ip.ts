import { isIPv4, isIPv6 } from 'node:net';

/**
 * IP address helpers: one canonical spelling per address, so that `::FFFF:1.2.3.4`,
 * `1.2.3.4` and `[::ffff:0102:0304]` are one key for a rate limiter, not three.
 */

const MAX_ADDRESS_LENGTH = 64;

/** Parses an IPv6 address into eight 16-bit groups; `undefined` when it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  if (!isIPv6(address)) return undefined;
  let text = address;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // Embedded IPv4 (e.g. ::ffff:1.2.3.4): two groups.
    const octets = last.split('.').map(Number);
    tail.push(
      ((octets[0] ?? 0) << 8) | (octets[1] ?? 0),
      ((octets[2] ?? 0) << 8) | (octets[3] ?? 0),
    );
    // Drop the IPv4 part and its colon; keep a '::' that stood right before it.
    text = text.slice(0, lastColon);
    if (text.endsWith(':')) text += ':';
  }
  const [head = '', rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((group) => parseInt(group, 16));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const missing = 8 - tail.length - left.length - right.length;
  if (missing < 0 || (rest === undefined && missing !== 0)) return undefined;
  return [...left, ...new Array<number>(missing).fill(0), ...right, ...tail];
}

/** RFC 5952 text form: lower case, no leading zeros, the longest zero run as `::`. */
function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function isIpv4Mapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
}

/**
 * Canonical form of an address, or `undefined` when the input is not an IP address.
 * Accepts `[v6]`, zone ids (dropped), IPv4-mapped IPv6 (returned as IPv4).
 * Never throws, whatever the input.
 */
export function normalizeIp(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_ADDRESS_LENGTH) {
    return undefined;
  }
  let address = input.trim();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  if (zone !== -1) address = address.slice(0, zone);
  if (isIPv4(address)) return address;
  const groups = ipv6Groups(address.toLowerCase());
  if (groups === undefined) return undefined;
  if (isIpv4Mapped(groups)) {
    const high = groups[6] ?? 0;
    const low = groups[7] ?? 0;
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return formatIpv6(groups);
}

/**
 * Strips a port from an `X-Forwarded-For` entry (`1.2.3.4:5678`, `[::1]:80`), which
 * some proxies add; returns the entry untouched otherwise.
 */
export function stripPort(entry: string): string {
  if (entry.startsWith('[')) {
    const end = entry.indexOf(']');
    return end === -1 ? entry : entry.slice(1, end);
  }
  const colon = entry.indexOf(':');
  if (colon !== -1 && colon === entry.lastIndexOf(':')) return entry.slice(0, colon);
  return entry;
}

/**
 * The key a limiter should use for an address: IPv4 as is, IPv6 cut to its subnet
 * (`/64` by default), since one host usually owns a whole /64 and could otherwise
 * rotate through addresses to escape a per-IP limit.
 */
export function ipSubnetKey(ip: string, ipv6PrefixLength = 64): string {
  const canonical = normalizeIp(ip);
  if (canonical === undefined) return ip;
  if (isIPv4(canonical)) return canonical;
  const groups = ipv6Groups(canonical);
  if (groups === undefined) return canonical;
  const prefix = Math.max(0, Math.min(128, Math.floor(ipv6PrefixLength)));
  const masked = groups.map((group, index) => {
    const bitsBefore = index * 16;
    if (prefix >= bitsBefore + 16) return group;
    if (prefix <= bitsBefore) return 0;
    const keep = prefix - bitsBefore;
    return group & ((0xffff << (16 - keep)) & 0xffff);
  });
  return `${formatIpv6(masked)}/${prefix}`;
}

import { BlockList, isIPv4 } from 'node:net';

/**
 * Addresses the probe may reach without `iOwnThisHost`: loopback and private networks,
 * where a server is almost certainly the user's own. Link-local (169.254.0.0/16, where
 * cloud metadata services live), carrier-grade NAT and every public address need the
 * explicit flag.
 */
const LOCAL = new BlockList();
LOCAL.addSubnet('127.0.0.0', 8, 'ipv4');
LOCAL.addSubnet('10.0.0.0', 8, 'ipv4');
LOCAL.addSubnet('172.16.0.0', 12, 'ipv4');
LOCAL.addSubnet('192.168.0.0', 16, 'ipv4');
LOCAL.addAddress('::1', 'ipv6');
LOCAL.addSubnet('fc00::', 7, 'ipv6');

const MAPPED_IPV4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** `true` for loopback and private addresses (IPv4-mapped IPv6 judged as IPv4). */
export function isLoopbackOrPrivate(address: string): boolean {
  const mapped = MAPPED_IPV4.exec(address)?.[1];
  if (mapped !== undefined) return LOCAL.check(mapped, 'ipv4');
  return isIPv4(address) ? LOCAL.check(address, 'ipv4') : LOCAL.check(address, 'ipv6');
}

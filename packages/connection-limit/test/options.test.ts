import { connectionLimitGuard, type ConnectionLimitGuardOptions } from '../src';

describe('connectionLimitGuard options', () => {
  it.each<[string, unknown, RegExp]>([
    ['a typo', { maxPerUsers: 2 }, /unknown option "maxPerUsers"/],
    ['maxPerUser 0', { maxPerUser: 0 }, /maxPerUser must be an integer >= 1 or Infinity/],
    ['a fractional cap', { maxPerIp: 2.5 }, /maxPerIp must be an integer/],
    [
      'an unknown policy',
      { perUserPolicy: 'kick' },
      /perUserPolicy must be 'refuse-new' or 'disconnect-oldest'/,
    ],
    [
      'softLimit above maxConnections',
      { maxConnections: 10, softLimit: 11 },
      /softLimit \(11\) must not exceed maxConnections/,
    ],
    ['an IPv6 prefix of 0', { ipv6Subnet: 0 }, /ipv6Subnet must be a prefix length from 1 to 128/],
    ['cluster options without redis', { clusterMaxPerUser: 3 }, /only apply with a redis client/],
    ['something else as redis', { redis: {} }, /redis must be an ioredis client/],
    [
      'a heartbeat too slow for the TTL',
      { redis: { call: () => Promise.resolve() }, leaseTtlMs: 3000, heartbeatMs: 2000 },
      /heartbeatMs \(2000\) must be at most half of leaseTtlMs/,
    ],
    [
      'an unknown store policy',
      { redis: { call: () => Promise.resolve() }, onStoreError: 'retry' },
      /onStoreError must be 'allow' or 'deny'/,
    ],
  ])('rejects %s with a message that says how to fix it', (_name, options, message) => {
    expect(() => connectionLimitGuard(options as ConnectionLimitGuardOptions)).toThrow(message);
  });

  it('is an io.use middleware with a name that reads well in stack traces', () => {
    const guard = connectionLimitGuard();
    expect(guard.name).toBe('connection-limitHandshakeGuard');
    expect(guard.stats()).toEqual({
      connections: 0,
      pending: 0,
      users: 0,
      ips: 0,
      clusterEntries: 0,
    });
  });
});

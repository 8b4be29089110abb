import { isPortcullisConfigError, type PortcullisConfigError } from '@portcullis/core';
import { thrownBy } from '@portcullis/testing';
import {
  connectionLimitGuard,
  connectionLimitGuardOptionsSpec,
  type ConnectionLimitGuardOptions,
} from '../src';

const redis = { call: () => Promise.resolve() };

const configError = (options: unknown): PortcullisConfigError =>
  thrownBy(
    () => connectionLimitGuard(options as ConnectionLimitGuardOptions),
    isPortcullisConfigError,
  );

describe('connectionLimitGuard options', () => {
  it.each<[string, unknown, string, RegExp]>([
    [
      'maxPerUser 0',
      { maxPerUser: 0 },
      'PORTCULLIS_CONFIG_INVALID_TYPE',
      /maxPerUser: must be false, or an integer ≥ 1; got 0/,
    ],
    ['a fractional cap', { maxPerIp: 2.5 }, 'PORTCULLIS_CONFIG_INVALID_TYPE', /maxPerIp: must be/],
    [
      'an unknown policy',
      { perUserPolicy: 'kick' },
      'PORTCULLIS_CONFIG_INVALID_TYPE',
      /perUserPolicy: must be "refuse-new" or "disconnect-oldest"/,
    ],
    [
      'softLimit above maxConnections',
      { maxConnections: 10, softLimit: 11 },
      'PORTCULLIS_CONFIG_CONFLICT',
      /softLimit \(11\) must not exceed maxConnections \(10\)/,
    ],
    [
      'an IPv6 prefix of 0',
      { ipv6Subnet: 0 },
      'PORTCULLIS_CONFIG_OUT_OF_RANGE',
      /ipv6Subnet: must be an integer from 1 to 128/,
    ],
    [
      'cluster options without redis',
      { clusterMaxPerUser: 3, storeTimeoutMs: 100 },
      'PORTCULLIS_CONFIG_CONFLICT',
      /clusterMaxPerUser, storeTimeoutMs only apply with a redis client/,
    ],
    [
      'something else as redis',
      { redis: {} },
      'PORTCULLIS_CONFIG_INVALID_TYPE',
      /redis: must be an ioredis client/,
    ],
    [
      'a heartbeat too slow for the TTL',
      { redis, leaseTtlMs: 3000, heartbeatMs: 2000 },
      'PORTCULLIS_CONFIG_CONFLICT',
      /heartbeatMs \(2000\) must be at most half of leaseTtlMs \(3000\)/,
    ],
    [
      'a cluster cap that defaults to no cap',
      { redis, maxPerUser: false },
      'PORTCULLIS_CONFIG_CONFLICT',
      /set clusterMaxPerUser, or leave redis out/,
    ],
    [
      'an unknown store policy',
      { redis, onStoreError: 'retry' },
      'PORTCULLIS_CONFIG_INVALID_TYPE',
      /onStoreError: must be "deny" or "allow"/,
    ],
    [
      'a store timeout of 0',
      { redis, storeTimeoutMs: 0 },
      'PORTCULLIS_CONFIG_OUT_OF_RANGE',
      /storeTimeoutMs: must be a number of milliseconds ≥ 1/,
    ],
  ])('rejects %s with a coded message that says how to fix it', (_name, options, code, message) => {
    const error = configError(options);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^connectionLimitGuard: /);
    expect(error.message).toMatch(message);
  });

  it('refuses a misspelt key, naming it and the nearest known one', () => {
    const error = configError({ maxPerUsers: 2 });
    expect(error.code).toBe('PORTCULLIS_CONFIG_UNKNOWN_OPTION');
    expect(error.path).toBe('maxPerUsers');
    expect(error.message).toBe(
      'connectionLimitGuard: maxPerUsers: unknown option, did you mean maxPerUser?',
    );
    // The options are flat: the cluster ones sit beside the others, checked alike.
    expect(configError({ redis, storeTimeotMs: 100 }).suggestion).toBe('storeTimeoutMs');
  });

  it.each(['maxConnections', 'maxPerIp', 'maxPerUser', 'softLimit', 'softMaxPerIp'])(
    'refuses Infinity for %s and says false is the word for no cap',
    (key) => {
      const error = configError({ [key]: Infinity });
      expect(error.path).toBe(key);
      expect(error.message).toBe(
        `connectionLimitGuard: ${key}: Infinity no longer means no cap: write false.`,
      );
    },
  );

  it('refuses Infinity for clusterMaxPerUser, pointing at the way to have no cluster cap', () => {
    expect(configError({ redis, clusterMaxPerUser: Infinity }).message).toBe(
      'connectionLimitGuard: clusterMaxPerUser: Infinity no longer means no cap: leave redis out for no cluster-wide cap.',
    );
  });

  it('takes false for no cap, and true nowhere', () => {
    const guard = connectionLimitGuard({
      maxConnections: false,
      maxPerIp: false,
      maxPerUser: false,
      softLimit: false,
      softMaxPerIp: false,
    });
    expect(guard.stats().connections).toBe(0);
    expect(configError({ maxPerUser: true }).code).toBe('PORTCULLIS_CONFIG_INVALID_TYPE');
    // undefined is the same as absent.
    expect(() => connectionLimitGuard({ maxPerUser: undefined })).not.toThrow();
  });

  it('exports the spec it checks with: exactly the keys of the options type', () => {
    // A key added to the type but not to the spec (or the reverse) fails here: the
    // literal must name every key of the type, and the spec must hold the same ones.
    const everyOption: Record<keyof ConnectionLimitGuardOptions, true> = {
      maxConnections: true,
      maxPerIp: true,
      ipv6Subnet: true,
      maxPerUser: true,
      perUserPolicy: true,
      softLimit: true,
      softMaxPerIp: true,
      retryAfterMs: true,
      pendingTimeoutMs: true,
      redis: true,
      clusterMaxPerUser: true,
      keyPrefix: true,
      leaseTtlMs: true,
      heartbeatMs: true,
      releaseBatchMs: true,
      onStoreError: true,
      storeTimeoutMs: true,
    };
    expect(Object.keys(connectionLimitGuardOptionsSpec.fields ?? {}).sort()).toEqual(
      Object.keys(everyOption).sort(),
    );
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

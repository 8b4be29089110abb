import { Redis } from 'ioredis';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import {
  checkOptions,
  isPortcullisConfigError,
  type OptionSpec,
  type PortcullisConfigError,
} from '@portcullis/core';
import { thrownBy } from '@portcullis/testing';
import {
  connectionRateLimitGuard,
  connectionRateLimitGuardOptionsSpec,
  messageRateLimitGuard,
  messageRateLimitGuardOptionsSpec,
  rateLimitGuard,
  rateLimitGuardOptionsSpec,
  recheckOnRecovery,
} from '@portcullis/rate-limit';
import { guardedServer } from './helpers';

type Factory = (options: never) => unknown;

const factories: Record<string, { build: Factory; spec: OptionSpec }> = {
  rateLimitGuard: { build: rateLimitGuard as Factory, spec: rateLimitGuardOptionsSpec },
  messageRateLimitGuard: {
    build: messageRateLimitGuard as Factory,
    spec: messageRateLimitGuardOptionsSpec,
  },
  connectionRateLimitGuard: {
    build: connectionRateLimitGuard as Factory,
    spec: connectionRateLimitGuardOptionsSpec,
  },
};

const configError = (run: () => unknown): PortcullisConfigError =>
  thrownBy(run, isPortcullisConfigError);

/** The factory and its exported spec refuse the options with the same error. */
function refused(factory: string, options: unknown): PortcullisConfigError {
  const { build, spec } = factories[factory] as { build: Factory; spec: OptionSpec };
  const fromFactory = configError(() => build(options as never));
  const fromSpec = configError(() => checkOptions(spec, options, factory));
  expect(fromSpec.message).toBe(fromFactory.message);
  return fromFactory;
}

const redis = new Redis({ lazyConnect: true });
afterAll(() => redis.disconnect());

describe('rate-limit options', () => {
  // A misspelt key at every depth: the top, a piece, a limit, an entry of a list, an event.
  it.each([
    ['rateLimitGuard', { mesages: {} }, 'mesages', 'messages'],
    ['rateLimitGuard', { onStoreErorr: 'allow' }, 'onStoreErorr', 'onStoreError'],
    [
      'rateLimitGuard',
      { messages: { costPerKib: 1 } },
      'messages.costPerKib',
      'messages.costPerKiB',
    ],
    [
      'rateLimitGuard',
      { messages: { perUser: { point: 5, durationMs: 1000 } } },
      'messages.perUser.point',
      'messages.perUser.points',
    ],
    [
      'rateLimitGuard',
      {
        messages: {
          perUser: [
            { points: 5, durationMs: 1000 },
            { points: 9, durationMS: 60_000 },
          ],
        },
      },
      'messages.perUser[1].durationMS',
      'messages.perUser[1].durationMs',
    ],
    [
      'rateLimitGuard',
      { messages: { perEvent: { 'file:upload': { pionts: 2, durationMs: 1000 } } } },
      'messages.perEvent["file:upload"].pionts',
      'messages.perEvent["file:upload"].points',
    ],
    [
      'rateLimitGuard',
      { connections: { perIP: { points: 5, durationMs: 1000 } } },
      'connections.perIP',
      'connections.perIp',
    ],
    [
      'messageRateLimitGuard',
      { perSocket: [{ points: 5, durationMs: 1000, blockDurationMS: 5000 }] },
      'perSocket[0].blockDurationMS',
      'perSocket[0].blockDurationMs',
    ],
    ['messageRateLimitGuard', { defualtCost: 2 }, 'defualtCost', 'defaultCost'],
    ['connectionRateLimitGuard', { ipv6subnet: 48 }, 'ipv6subnet', 'ipv6Subnet'],
    [
      'connectionRateLimitGuard',
      { perUser: { points: 5, durationMs: 1000, blockDuration: 1000 } },
      'perUser.blockDuration',
      'perUser.blockDurationMs',
    ],
  ])(
    '%s refuses a misspelt key (%j) naming its path and the nearest key',
    (factory, options, path, suggestion) => {
      const error = refused(factory, options);
      expect(error.code).toBe('PORTCULLIS_CONFIG_UNKNOWN_OPTION');
      expect(error.path).toBe(path);
      expect(error.suggestion).toBe(suggestion);
      expect(error.message).toBe(
        `${factory}: ${path}: unknown option, did you mean ${suggestion}?`,
      );
    },
  );

  it.each([
    [
      'rateLimitGuard',
      { errors: { refusals: 20 } },
      'errors',
      /configurePortcullis\(io, \{ escalation/,
    ],
    ['rateLimitGuard', { errors: false }, 'errors', /escalation: \{ disconnectAfter/],
    [
      'rateLimitGuard',
      { messages: { disconnectAfter: { refusals: 50, windowMs: 10_000 } } },
      'messages.disconnectAfter',
      /configurePortcullis\(io, \{ escalation/,
    ],
    ['messageRateLimitGuard', { disconnectAfter: false }, 'disconnectAfter', /escalation/],
    ['connectionRateLimitGuard', { now: Date.now }, 'now', /configurePortcullis\(io, \{ now \}\)/],
    ['rateLimitGuard', { now: Date.now }, 'now', /configurePortcullis\(io, \{ now \}\)/],
  ])(
    '%s refuses the removed option %j, saying where its job went',
    (factory, options, path, hint) => {
      const error = refused(factory, options);
      expect(error.code).toBe('PORTCULLIS_CONFIG_UNKNOWN_OPTION');
      expect(error.path).toBe(path);
      expect(error.message).toMatch(hint);
    },
  );

  it.each([
    ['messageRateLimitGuard', { costPerKiB: 0 }, 'costPerKiB', /write false/],
    [
      'messageRateLimitGuard',
      { perSocket: { points: 5, durationMs: 1000, blockDurationMs: 0 } },
      'perSocket.blockDurationMs',
      /write false/,
    ],
    ['messageRateLimitGuard', { perUser: [] }, 'perUser', /empty list .* write false/],
    ['connectionRateLimitGuard', { storeTimeoutMs: 0 }, 'storeTimeoutMs', /deadline/],
    ['rateLimitGuard', { messages: { costPerKiB: 0 } }, 'messages.costPerKiB', /write false/],
  ])('%s refuses the old spelling of "off" %j with the new one', (factory, options, path, hint) => {
    const error = refused(factory, options);
    expect(error.code).toBe('PORTCULLIS_CONFIG_INVALID_TYPE');
    expect(error.path).toBe(path);
    expect(error.message).toMatch(hint);
  });

  it('takes false, and only false, to turn a thing off', () => {
    expect(() =>
      rateLimitGuard({
        connections: { perIp: false, perUser: false },
        messages: {
          perSocket: false,
          perUser: false,
          global: false,
          perEvent: { typing: false },
          costPerKiB: false,
        },
      }),
    ).not.toThrow();
    expect(() => rateLimitGuard({ connections: false, messages: false })).not.toThrow();
    expect(() =>
      messageRateLimitGuard({
        perSocket: { points: 3, durationMs: 1000, blockDurationMs: false },
      }),
    ).not.toThrow();
    const error = refused('rateLimitGuard', { messages: true });
    expect(error.code).toBe('PORTCULLIS_CONFIG_INVALID_TYPE');
    expect(error.message).toContain('false, or an object');
    const policy = refused('rateLimitGuard', { onStoreError: 'skip' });
    expect(policy.message).toBe(
      'rateLimitGuard: onStoreError: must be "deny" or "allow"; got a string.',
    );
  });

  it.each([
    [
      'messageRateLimitGuard',
      { perSocket: { points: 5, durationMs: 0 } },
      'perSocket.durationMs',
      'PORTCULLIS_CONFIG_OUT_OF_RANGE',
    ],
    [
      'messageRateLimitGuard',
      { perUser: [{ points: 1.5, durationMs: 1000 }] },
      'perUser[0].points',
      'PORTCULLIS_CONFIG_INVALID_TYPE',
    ],
    [
      'messageRateLimitGuard',
      { perUser: { durationMs: 1000 } },
      'perUser.points',
      'PORTCULLIS_CONFIG_MISSING',
    ],
    [
      'messageRateLimitGuard',
      { costs: { typing: -1 } },
      'costs.typing',
      'PORTCULLIS_CONFIG_OUT_OF_RANGE',
    ],
    [
      'messageRateLimitGuard',
      { costs: { 'file:upload': 'high' } },
      'costs["file:upload"]',
      'PORTCULLIS_CONFIG_INVALID_TYPE',
    ],
    ['messageRateLimitGuard', { costPerKiB: 0.5 }, 'costPerKiB', 'PORTCULLIS_CONFIG_INVALID_TYPE'],
    ['messageRateLimitGuard', { redis: {} }, 'redis', 'PORTCULLIS_CONFIG_INVALID_TYPE'],
    ['messageRateLimitGuard', { lease: 1.5 }, 'lease', 'PORTCULLIS_CONFIG_INVALID_TYPE'],
    ['connectionRateLimitGuard', { ipv6Subnet: 0 }, 'ipv6Subnet', 'PORTCULLIS_CONFIG_OUT_OF_RANGE'],
    ['connectionRateLimitGuard', { perIp: 40 }, 'perIp', 'PORTCULLIS_CONFIG_INVALID_TYPE'],
    ['rateLimitGuard', { keyPrefix: '' }, 'keyPrefix', 'PORTCULLIS_CONFIG_OUT_OF_RANGE'],
    ['rateLimitGuard', { dryRun: 'yes' }, 'dryRun', 'PORTCULLIS_CONFIG_INVALID_TYPE'],
  ])('%s checks %j: path and code', (factory, options, path, code) => {
    const error = refused(factory, options);
    expect(error.path).toBe(path);
    expect(error.code).toBe(code);
  });

  it('takes limiters you built where they are counted by key, and not on the socket', () => {
    const limiter = new RateLimiterMemory({ points: 5, duration: 1 });
    expect(() =>
      rateLimitGuard({ messages: { perUser: limiter, global: [limiter] } }),
    ).not.toThrow();
    expect(() => connectionRateLimitGuard({ perIp: limiter })).not.toThrow();
    const socket = refused('messageRateLimitGuard', { perSocket: limiter });
    expect(socket.path).toBe('perSocket');
    expect(socket.message).toMatch(/counted on the socket.*perUser or global/);
    const event = refused('rateLimitGuard', { messages: { perEvent: { typing: [limiter] } } });
    expect(event.path).toBe('messages.perEvent.typing[0]');
  });

  it('refuses a cost no window could ever let through, under the path it was given at', () => {
    const alone = refused('messageRateLimitGuard', {
      perSocket: { points: 5, durationMs: 1000 },
      costs: { 'file:upload': 10 },
    });
    expect(alone.code).toBe('PORTCULLIS_CONFIG_CONFLICT');
    expect(alone.message).toMatch(
      /costs\["file:upload"\] is 10, above the 5 points perSocket allows/,
    );
    // Against the defaults too: 30 per second per socket.
    expect(refused('messageRateLimitGuard', { defaultCost: 31 }).message).toMatch(
      /defaultCost is 31, above the 30 points perSocket/,
    );
    const nested = refused('rateLimitGuard', {
      messages: { costs: { big: 61 }, perSocket: false },
    });
    expect(nested.path).toBe('messages');
    expect(nested.message).toMatch(
      /^rateLimitGuard: messages: costs.big is 61, above the 60 points perUser/,
    );
  });

  it('refuses windows Redis cannot count (whole seconds) at set-up, naming the window', () => {
    const user = refused('messageRateLimitGuard', {
      redis,
      perUser: [
        { points: 5, durationMs: 1000 },
        { points: 50, durationMs: 1500 },
      ],
    });
    expect(user.code).toBe('PORTCULLIS_CONFIG_CONFLICT');
    expect(user.message).toMatch(/perUser\[1\]: Redis counts in whole seconds/);
    const event = refused('rateLimitGuard', {
      redis,
      messages: {
        perEvent: { 'file:upload': { points: 2, durationMs: 1000, blockDurationMs: 500 } },
      },
    });
    expect(event.message).toMatch(
      /messages\.perEvent\["file:upload"\]: Redis counts in whole seconds/,
    );
    const ip = refused('rateLimitGuard', {
      redis,
      connections: { perIp: { points: 5, durationMs: 250 } },
    });
    expect(ip.message).toMatch(/connections\.perIp: Redis counts/);
    // In memory, any window is fine; so are per-socket and global windows with Redis.
    expect(() => messageRateLimitGuard({ perUser: { points: 5, durationMs: 1500 } })).not.toThrow();
    expect(() =>
      messageRateLimitGuard({
        redis,
        perSocket: { points: 5, durationMs: 250 },
        global: { points: 500, durationMs: 250 },
      }),
    ).not.toThrow();
  });

  it("accepts the preset's options and exports a spec with every documented key", () => {
    expect(() =>
      checkOptions(rateLimitGuardOptionsSpec, { messages: { costPerKiB: 1 } }, 'rateLimitGuard'),
    ).not.toThrow();
    expect(Object.keys(rateLimitGuardOptionsSpec.fields ?? {}).sort()).toEqual(
      [
        'redis',
        'keyPrefix',
        'lease',
        'insurance',
        'onStoreError',
        'storeTimeoutMs',
        'dryRun',
        'now',
        'connections',
        'messages',
        'errors',
      ].sort(),
    );
    expect(Object.keys(connectionRateLimitGuardOptionsSpec.fields ?? {})).toEqual(
      expect.arrayContaining(['perIp', 'perUser', 'ipv6Subnet']),
    );
    expect(Object.keys(messageRateLimitGuardOptionsSpec.fields ?? {})).toEqual(
      expect.arrayContaining([
        'perSocket',
        'perUser',
        'perEvent',
        'global',
        'costs',
        'defaultCost',
        'costPerKiB',
      ]),
    );
  });

  it('recheckOnRecovery takes middlewares only', async () => {
    const { server } = await guardedServer();
    const error = configError(() => recheckOnRecovery(server.io, 'connections' as never));
    expect(error.message).toBe('recheckOnRecovery: [0]: must be a function; got a string.');
  });
});

import { startServer, thrownBy, type TestServer } from '@portcullis/testing';
import { isPortcullisConfigError, type PortcullisConfigError } from '@portcullis/core';
import { portcullis, type PortcullisOptions } from 'portcullis';
import { baseOptions } from './helpers';

/** The preset's keys that hold a guard's options (the rest are the preset's own). */
type GuardKey = Exclude<
  keyof PortcullisOptions,
  | 'origins'
  | 'requireTLS'
  | 'startupCheck'
  | 'logRefusals'
  | 'publicNamespaces'
  | 'trustedProxies'
  | 'errorEvent'
  | 'disconnectEvent'
  | 'bus'
  | 'escalation'
>;

interface Typo {
  /** Options added to the base (origins and HS256 auth). */
  readonly options: Record<string, unknown>;
  readonly path: string;
  /** The suggestion, when a known key is near enough to be named. */
  readonly suggestion?: string;
}

/**
 * One misspelt key under every guard's options, some of them deep. A `Record` over the
 * guard keys: a guard added to the preset without a row here does not type-check.
 */
const TYPOS: Record<GuardKey, readonly Typo[]> = {
  origin: [
    {
      options: { origin: { allowMisingOrigin: true } },
      path: 'origin.allowMisingOrigin',
      suggestion: 'origin.allowMissingOrigin',
    },
  ],
  auth: [
    {
      options: { auth: { secret: 'x'.repeat(40), algorithms: ['HS256'], audiance: 'app' } },
      path: 'auth.audiance',
      suggestion: 'auth.audience',
    },
  ],
  authorize: [
    {
      options: { authorize: { rules: {}, unknwn: 'allow' } },
      path: 'authorize.unknwn',
      suggestion: 'authorize.unknown',
    },
    {
      options: { authorize: { rules: { 'admin:ban': { rolez: ['admin'] } } } },
      path: 'authorize.rules["admin:ban"].rolez',
      suggestion: 'authorize.rules["admin:ban"].roles',
    },
  ],
  rateLimit: [
    {
      options: { rateLimit: { mesages: { points: 5 } } },
      path: 'rateLimit.mesages',
      suggestion: 'rateLimit.messages',
    },
    {
      options: {
        rateLimit: { messages: { perSocket: { points: 5, durationMs: 1000, blockDurationMz: 1 } } },
      },
      path: 'rateLimit.messages.perSocket.blockDurationMz',
      suggestion: 'rateLimit.messages.perSocket.blockDurationMs',
    },
  ],
  connectionLimit: [
    {
      options: { connectionLimit: { maxPerIP: 3 } },
      path: 'connectionLimit.maxPerIP',
      suggestion: 'connectionLimit.maxPerIp',
    },
  ],
  sizeLimit: [
    {
      options: { sizeLimit: { maxByte: 1024 } },
      path: 'sizeLimit.maxByte',
      suggestion: 'sizeLimit.maxBytes',
    },
    {
      options: { sizeLimit: { events: { upload: { maxBytez: 1024 } } } },
      path: 'sizeLimit.events.upload.maxBytez',
      suggestion: 'sizeLimit.events.upload.maxBytes',
    },
  ],
  validate: [
    {
      options: { validate: { schemas: {}, unknownEvent: 'allow' } },
      path: 'validate.unknownEvent',
      suggestion: 'validate.unknownEvents',
    },
  ],
  sanitize: [
    { options: { sanitize: { mod: 'strip' } }, path: 'sanitize.mod', suggestion: 'sanitize.mode' },
  ],
  sessionExpiry: [
    {
      options: { sessionExpiry: { warnBeforeMS: 1000 } },
      path: 'sessionExpiry.warnBeforeMS',
      suggestion: 'sessionExpiry.warnBeforeMs',
    },
  ],
  rooms: [{ options: { rooms: { rulez: {} } }, path: 'rooms.rulez', suggestion: 'rooms.rules' }],
  content: [
    {
      options: { content: { fields: {}, rulez: {} } },
      path: 'content.rulez',
      suggestion: 'content.rules',
    },
  ],
  replay: [
    {
      options: { replay: { events: ['vote:cast'], windowMS: 60_000 } },
      path: 'replay.windowMS',
      suggestion: 'replay.windowMs',
    },
  ],
  logoutRevoke: [
    {
      options: { logoutRevoke: { onStoreErorr: 'allow' } },
      path: 'logoutRevoke.onStoreErorr',
      suggestion: 'logoutRevoke.onStoreError',
    },
  ],
  idleTimeout: [{ options: { idleTimeout: { timeoutMS: 1000 } }, path: 'idleTimeout.timeoutMS' }],
  securityHeaders: [
    {
      options: { securityHeaders: { hstss: 'max-age=60' } },
      path: 'securityHeaders.hstss',
      suggestion: 'securityHeaders.hsts',
    },
  ],
};

const ROWS = Object.entries(TYPOS).flatMap(([key, typos]) =>
  typos.map((typo) => [typo.path, key, typo] as const),
);

/** The error `portcullis()` throws with these options, checked to be a config error. */
const configErrorOf = (
  server: TestServer,
  options: Record<string, unknown>,
): PortcullisConfigError =>
  thrownBy(
    () => portcullis(server.io, { ...baseOptions(), startupCheck: false, ...options }),
    isPortcullisConfigError,
  );

/** Engine.IO middlewares (the origin check is one): none may be left by a failed set-up. */
const engineMiddlewares = (server: TestServer): number =>
  (server.io.engine as unknown as { middlewares: unknown[] }).middlewares.length;

describe('portcullis(io, options): a misspelt option anywhere', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });

  it.each(ROWS)(
    '%s (under %s) throws with its full path and the nearest key',
    (_path, _key, typo) => {
      const error = configErrorOf(server, typo.options);
      expect(error.code).toBe('PORTCULLIS_CONFIG_UNKNOWN_OPTION');
      expect(error.path).toBe(typo.path);
      expect(error.factory).toBe('portcullis');
      expect(error.suggestion).toBe(typo.suggestion);
      expect(error.message).toBe(
        `portcullis: ${typo.path}: unknown option` +
          (typo.suggestion === undefined ? '' : `, did you mean ${typo.suggestion}?`),
      );
      // Checked before anything was installed: no origin middleware, no guarded namespace.
      expect(engineMiddlewares(server)).toBe(0);
      expect((server.io.of('/') as unknown as { _fns: unknown[] })._fns).toHaveLength(0);
    },
  );

  it('names a misspelt top-level key with the nearest one', () => {
    const error = configErrorOf(server, { rateLimits: {} });
    expect(error.message).toBe('portcullis: rateLimits: unknown option, did you mean rateLimit?');
  });

  it('names a wrong entry of the origins with its index, at the top level', () => {
    const error = configErrorOf(server, { origins: ['https://app.example.com', 42] });
    expect(error.code).toBe('PORTCULLIS_CONFIG_INVALID_TYPE');
    expect(error.path).toBe('origins[1]');
  });

  it('refuses options for guards that need auth when auth is off', () => {
    for (const key of ['sessionExpiry', 'logoutRevoke', 'authorize'] as const) {
      const options = key === 'authorize' ? { rules: {} } : {};
      const error = configErrorOf(server, {
        origins: ['https://app.example.com'],
        auth: false,
        [key]: options,
      });
      expect({ key, code: error.code, path: error.path }).toEqual({
        key,
        code: 'PORTCULLIS_CONFIG_CONFLICT',
        path: key,
      });
    }
  });

  it('accepts the same options spelt right', () => {
    expect(() =>
      portcullis(server.io, {
        ...baseOptions(),
        startupCheck: false,
        origin: { allowMissingOrigin: true },
        rateLimit: { messages: { perSocket: { points: 50, durationMs: 1000 } } },
        sizeLimit: { events: { upload: { maxBytes: 1024 } } },
        sessionExpiry: { warnBeforeMs: 1000 },
        securityHeaders: { hsts: 'max-age=60' },
      }),
    ).not.toThrow();
  });
});

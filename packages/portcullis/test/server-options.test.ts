import { get, type IncomingHttpHeaders } from 'node:http';
import { Server } from 'socket.io';
import { connectClient, expectConnectError, startServer } from '@portcullis/testing';
import {
  SecurityEventBus,
  findDangerousSettings,
  portcullis,
  secureServerOptions,
  type SecurityEvent,
} from 'portcullis';
import { ORIGIN, SECRET, honest } from './helpers';

/** GET of the polling handshake, with its status and headers. */
function pollingHandshake(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    get(`${url}/socket.io/?EIO=4&transport=polling`, { headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    }).on('error', reject);
  });
}

describe('secureServerOptions', () => {
  it('turns compression off, bounds buffers and timeouts, and builds CORS from the allowlist', () => {
    const options = secureServerOptions({ origins: [ORIGIN] });
    expect(options).toMatchObject({
      perMessageDeflate: false,
      httpCompression: false,
      maxHttpBufferSize: 131_072,
      connectTimeout: 10_000,
      allowEIO3: false,
      cookie: false,
    });
    expect(typeof options.allowRequest).toBe('function');
    expect(options.cors).toMatchObject({ credentials: true });
    expect(secureServerOptions({ sizeLimit: { maxBytes: 1_000 } }).maxHttpBufferSize).toBe(2_000);
    expect(secureServerOptions({ overrides: { pingInterval: 5_000 } }).pingInterval).toBe(5_000);
  });

  it('reflects allowed origins in CORS and refuses others with 403 before the handshake', async () => {
    const server = await startServer({
      serverOptions: {
        ...secureServerOptions({ origins: [ORIGIN] }),
        transports: ['polling', 'websocket'],
      },
    });
    const allowed = await pollingHandshake(server.url, { origin: ORIGIN });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe(ORIGIN);
    const foreign = await pollingHandshake(server.url, { origin: 'https://evil.test' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('security headers and TLS', () => {
  async function guarded(options: { requireTLS?: boolean; trustedProxies?: string[] } = {}) {
    return startServer({
      serverOptions: {
        ...secureServerOptions({ origins: [ORIGIN] }),
        transports: ['polling', 'websocket'],
      },
      setup(io) {
        portcullis(io, {
          origins: [ORIGIN],
          auth: { secret: SECRET, algorithms: ['HS256'] },
          startupCheck: false,
          ...options,
        });
      },
    });
  }

  it('sends nosniff, no-store and a CSP on handshake responses; HSTS only over TLS', async () => {
    const server = await guarded({ trustedProxies: ['loopback'] });
    const plain = await pollingHandshake(server.url, { origin: ORIGIN });
    expect(plain.headers['x-content-type-options']).toBe('nosniff');
    expect(plain.headers['cache-control']).toBe('no-store');
    expect(plain.headers['content-security-policy']).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    const viaTlsProxy = await pollingHandshake(server.url, {
      origin: ORIGIN,
      'x-forwarded-proto': 'https',
    });
    expect(viaTlsProxy.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });

  it('does not believe X-Forwarded-Proto from an untrusted peer', async () => {
    const server = await guarded();
    const spoofed = await pollingHandshake(server.url, {
      origin: ORIGIN,
      'x-forwarded-proto': 'https',
    });
    expect(spoofed.headers['strict-transport-security']).toBeUndefined();
  });

  it('requireTLS refuses plain handshakes and accepts those a trusted proxy terminated', async () => {
    const server = await guarded({ requireTLS: true, trustedProxies: ['loopback'] });
    const plain = await expectConnectError(server.url, await honest());
    expect(plain.data?.code).toBe('FORBIDDEN');
    expect(plain.data?.message).toMatch(/secure connections only/);
    const options = await honest();
    const viaProxy = await connectClient(server.url, {
      ...options,
      extraHeaders: { ...options.extraHeaders, 'x-forwarded-proto': 'https' },
    });
    expect(viaProxy.connected).toBe(true);
  });
});

describe('start-up check', () => {
  it('warns about each dangerous setting, on the console and the bus', async () => {
    const bus = new SecurityEventBus();
    const events: SecurityEvent[] = [];
    bus.on((event) => {
      events.push(event);
    });
    const lines: string[] = [];
    const warn = jest.spyOn(console, 'warn').mockImplementation((line: string) => {
      lines.push(line);
    });
    try {
      await startServer({
        serverOptions: {
          perMessageDeflate: true,
          maxHttpBufferSize: 5_000_000,
          cors: { origin: '*', credentials: true },
          connectionStateRecovery: {},
          allowEIO3: true,
        },
        setup(io) {
          portcullis(io, { origin: false, auth: false, bus, requireTLS: false });
        },
      });
    } finally {
      warn.mockRestore();
    }
    const codes = events.map((event) => event.detail?.check);
    expect(codes).toEqual(
      expect.arrayContaining([
        'PER_MESSAGE_DEFLATE',
        'MAX_HTTP_BUFFER_SIZE',
        'CORS_ANY_ORIGIN_WITH_CREDENTIALS',
        'NO_ORIGIN_CHECK',
        'ALLOW_EIO3',
        'MAX_HTTP_BUFFER_TOO_LARGE',
      ]),
    );
    expect(lines.every((line) => line.startsWith('[portcullis] '))).toBe(true);
    expect(lines).toHaveLength(events.length);
  });

  it('finds nothing wrong with secureServerOptions and the preset', async () => {
    let found: readonly unknown[] = ['not run'];
    await startServer({
      serverOptions: secureServerOptions({ origins: [ORIGIN] }),
      setup(io) {
        found = portcullis(io, {
          origins: [ORIGIN],
          auth: { secret: SECRET, algorithms: ['HS256'] },
          requireTLS: false,
        }).warnings;
      },
    });
    expect(found).toEqual([]);
  });

  it('flags production without TLS', async () => {
    const server = await startServer({ serverOptions: secureServerOptions({ origins: [ORIGIN] }) });
    const warnings = findDangerousSettings(server.io, {
      originGuard: true,
      requireTls: false,
      nodeEnv: 'production',
    });
    expect(warnings.map((warning) => warning.code)).toEqual(['NO_TLS_IN_PRODUCTION']);
  });

  it('needs an attached server', () => {
    expect(() => portcullis(new Server(), { origin: false, auth: false })).toThrow(
      /not attached to an HTTP server yet/,
    );
  });
});

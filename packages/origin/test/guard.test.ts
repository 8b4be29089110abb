import { configurePortcullis, type SecurityEventBus } from '@portcullis/core';
import { originGuard, type OriginGuardOptions } from '@portcullis/origin';
import {
  connectClient,
  emitWithAck,
  expectConnectError,
  startServer,
  type TestServer,
} from '@portcullis/testing';
import { GOOD, GOOD_SPELLINGS, SERVER_LOOK_ALIKES, echo, eventCollector } from './helpers';

function guardedServer(
  options: Partial<OriginGuardOptions> & { bus: SecurityEventBus },
): Promise<TestServer> {
  const { bus, ...rest } = options;
  return startServer({
    setup(io) {
      configurePortcullis(io, { bus });
      io.use(originGuard({ origins: [GOOD], logIntervalMs: false, ...rest }));
      echo(io);
    },
  });
}

const REJECTED = {
  code: 'ORIGIN_REJECTED',
  message: 'This origin is not allowed to connect.',
  retryable: false,
};

describe('originGuard (io.use)', () => {
  it('lets the allowed origin connect over websocket and polling, in every spelling', async () => {
    const { bus, events } = eventCollector();
    const server = await guardedServer({ bus });
    for (const origin of GOOD_SPELLINGS) {
      for (const transports of [['websocket'], ['polling']]) {
        const client = await connectClient(server.url, { transports, extraHeaders: { origin } });
        await expect(emitWithAck(client, 'ping')).resolves.toBe('pong');
        client.disconnect();
      }
    }
    expect(events).toEqual([]);
  });

  it('refuses every look-alike with ORIGIN_REJECTED on both transports', async () => {
    const { bus, events } = eventCollector();
    const server = await guardedServer({ bus });
    for (const origin of SERVER_LOOK_ALIKES) {
      for (const transports of [['websocket'], ['polling']]) {
        const error = await expectConnectError(server.url, {
          transports,
          extraHeaders: { origin },
        });
        expect(error.data).toEqual(REJECTED);
      }
    }
    expect(events).toHaveLength(SERVER_LOOK_ALIKES.length * 2);
    const client = await connectClient(server.url, { extraHeaders: { origin: GOOD } });
    await expect(emitWithAck(client, 'ping')).resolves.toBe('pong');
  });

  it('records the refusal with code, origin, IP, socket and reason', async () => {
    const { bus, events } = eventCollector();
    const server = await guardedServer({ bus });
    await expectConnectError(server.url, { extraHeaders: { origin: 'https://evil.test' } });
    expect(events).toEqual([
      {
        type: 'handshake_refused',
        code: 'ORIGIN_REJECTED',
        at: expect.any(Number),
        ip: '127.0.0.1',
        origin: 'https://evil.test',
        socketId: expect.any(String),
        guard: 'origin',
        detail: { reason: 'not_allowed' },
      },
    ]);
  });

  it('refuses a missing Origin and the literal null unless opted in', async () => {
    const { bus, events } = eventCollector();
    const strict = await guardedServer({ bus });
    expect((await expectConnectError(strict.url)).data).toEqual(REJECTED);
    expect((await expectConnectError(strict.url, { transports: ['polling'] })).data).toEqual(
      REJECTED,
    );
    const nullOrigin = await expectConnectError(strict.url, { extraHeaders: { origin: 'null' } });
    expect(nullOrigin.data).toEqual(REJECTED);
    expect(events.map((event) => event.detail?.reason)).toEqual(['missing', 'missing', 'null']);

    const missingOnly = await guardedServer({ bus, allowMissingOrigin: true });
    await connectClient(missingOnly.url);
    await expectConnectError(missingOnly.url, { extraHeaders: { origin: 'null' } });
    const nullOnly = await guardedServer({ bus, allowNullOrigin: true });
    await connectClient(nullOnly.url, { extraHeaders: { origin: 'null' } });
    await expectConnectError(nullOnly.url);
  });

  it('lets a same-origin request without Origin through (Sec-Fetch-Site)', async () => {
    const { bus } = eventCollector();
    const sameOrigin = { 'sec-fetch-site': 'same-origin' };
    const server = await guardedServer({ bus });
    await connectClient(server.url, { transports: ['polling'], extraHeaders: sameOrigin });
    const strict = await guardedServer({ bus, trustFetchMetadata: false });
    await expectConnectError(strict.url, { transports: ['polling'], extraHeaders: sameOrigin });
  });

  it('accepts RegExp and function entries, sync and async', async () => {
    const { bus } = eventCollector();
    const server = await guardedServer({
      bus,
      origins: [
        /^https:\/\/pr-\d+\.preview\.example\.com$/,
        (origin) => origin === 'https://sync.test',
        async (origin) => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return origin === 'https://async.test';
        },
      ],
    });
    for (const origin of [
      'https://pr-7.preview.example.com',
      'https://sync.test',
      'https://async.test',
    ]) {
      const client = await connectClient(server.url, { extraHeaders: { origin } });
      await expect(emitWithAck(client, 'ping')).resolves.toBe('pong');
    }
    for (const origin of [
      'https://pr-7.preview.example.com.evil.test',
      'https://pr-x.preview.example.com',
      'https://other.test',
    ]) {
      const error = await expectConnectError(server.url, { extraHeaders: { origin } });
      expect(error.data?.code).toBe('ORIGIN_REJECTED');
    }
  });

  it('refuses with INTERNAL when a function entry throws, without leaking why', async () => {
    const { bus, events } = eventCollector();
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const server = await guardedServer({
        bus,
        origins: [
          GOOD,
          async () => {
            throw new Error('tenant database password is hunter2');
          },
        ],
      });
      const error = await expectConnectError(server.url, {
        extraHeaders: { origin: 'https://tenant.test' },
      });
      expect(error.data?.code).toBe('INTERNAL');
      expect(JSON.stringify(error.data)).not.toContain('hunter2');
      expect(events.map((event) => [event.code, event.detail?.reason])).toEqual([
        ['INTERNAL', 'check_failed'],
      ]);
      // Exact entries are checked first: the failing function never blocks them.
      await connectClient(server.url, { extraHeaders: { origin: GOOD } });
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('checks every namespace it is installed on', async () => {
    const { bus } = eventCollector();
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, { bus });
        io.of('/admin').use(originGuard({ origins: [GOOD] }));
      },
    });
    const error = await expectConnectError(server.url, {
      namespace: '/admin',
      extraHeaders: { origin: 'https://evil.test' },
    });
    expect(error.data?.code).toBe('ORIGIN_REJECTED');
    await connectClient(server.url, { namespace: '/admin', extraHeaders: { origin: GOOD } });
  });
});

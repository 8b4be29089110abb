import type { SecurityEventBus } from '@portcullis/core';
import {
  createOriginMatcher,
  originEngineMiddleware,
  type OriginEngineOptions,
} from '@portcullis/origin';
import {
  connectClient,
  emitWithAck,
  expectConnectError,
  startServer,
  type TestServer,
} from '@portcullis/testing';
import {
  GOOD,
  GOOD_SPELLINGS,
  POLLING_PATH,
  SERVER_LOOK_ALIKES,
  WEBSOCKET_PATH,
  echo,
  eventCollector,
  openPollingSession,
  rawRequest,
  rawUpgrade,
} from './helpers';

async function guardedServer(
  options: Partial<OriginEngineOptions> & { bus: SecurityEventBus },
): Promise<TestServer> {
  return startServer({
    setup(io) {
      io.engine.use(originEngineMiddleware({ origins: [GOOD], logIntervalMs: false, ...options }));
      echo(io);
    },
  });
}

describe('originEngineMiddleware (io.engine.use)', () => {
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

  it.each(SERVER_LOOK_ALIKES)('refuses the look-alike %j on both transports', async (origin) => {
    const { bus, events } = eventCollector();
    const server = await guardedServer({ bus });
    let connections = 0;
    server.io.on('connection', () => connections++);
    const overWebSocket = await expectConnectError(server.url, { extraHeaders: { origin } });
    expect(overWebSocket.message).toBe('websocket error');
    const overPolling = await expectConnectError(server.url, {
      transports: ['polling'],
      extraHeaders: { origin },
    });
    expect(overPolling.message).toBe('xhr poll error');
    expect(connections).toBe(0);
    expect(events.map((event) => event.detail?.transport)).toEqual(['websocket', 'polling']);
    // The server still serves an honest client.
    const honest = await connectClient(server.url, { extraHeaders: { origin: GOOD } });
    await expect(emitWithAck(honest, 'ping')).resolves.toBe('pong');
  });

  it('answers a refused polling handshake and a refused upgrade with HTTP 403', async () => {
    const { bus } = eventCollector();
    const server = await guardedServer({ bus });
    const polling = await rawRequest(server.port, POLLING_PATH, { origin: 'https://evil.test' });
    expect(polling.status).toBe(403);
    expect(JSON.parse(polling.body)).toEqual({
      code: 'ORIGIN_REJECTED',
      message: 'This origin is not allowed to connect.',
    });
    const upgrade = await rawUpgrade(server.port, WEBSOCKET_PATH, { origin: 'https://evil.test' });
    expect(upgrade.status).toBe(403);
    expect(JSON.parse(upgrade.body)).toMatchObject({ code: 'ORIGIN_REJECTED' });
    // Same requests from the allowed origin go through.
    expect((await rawRequest(server.port, POLLING_PATH, { origin: GOOD })).status).toBe(200);
    expect((await rawUpgrade(server.port, WEBSOCKET_PATH, { origin: GOOD })).status).toBe(101);
  });

  it('checks the follow-up requests that carry a sid, and the upgrade of a polling session', async () => {
    const { bus, events } = eventCollector();
    const server = await guardedServer({ bus });
    const sid = await openPollingSession(server.port, GOOD);
    const followUp = `${POLLING_PATH}&sid=${sid}`;
    const evil = { origin: 'https://evil.test' };

    expect((await rawRequest(server.port, followUp, evil, 'POST', '40')).status).toBe(403);
    expect((await rawRequest(server.port, followUp, evil)).status).toBe(403);
    expect((await rawUpgrade(server.port, `${WEBSOCKET_PATH}&sid=${sid}`, evil)).status).toBe(403);
    expect(events.map((event) => event.detail)).toEqual([
      { reason: 'not_allowed', transport: 'polling', request: 'follow-up' },
      { reason: 'not_allowed', transport: 'polling', request: 'follow-up' },
      { reason: 'not_allowed', transport: 'websocket', request: 'follow-up' },
    ]);

    // The session itself is intact: the page it belongs to carries on.
    const connect = await rawRequest(server.port, followUp, { origin: GOOD }, 'POST', '40');
    expect([connect.status, connect.body]).toEqual([200, 'ok']);
    const reply = await rawRequest(server.port, followUp, { origin: GOOD });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatch(/^40\{"sid":/);
  });

  it('records a refusal with code, origin, IP and reason', async () => {
    const { bus, events } = eventCollector();
    const server = await guardedServer({ bus });
    await expectConnectError(server.url, { extraHeaders: { origin: 'https://evil.test' } });
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({
      type: 'handshake_refused',
      code: 'ORIGIN_REJECTED',
      at: expect.any(Number),
      ip: '127.0.0.1',
      origin: 'https://evil.test',
      guard: 'origin',
      detail: { reason: 'not_allowed', transport: 'websocket', request: 'handshake' },
    });
  });

  it('resolves the IP through trusted proxies only', async () => {
    const { bus, events } = eventCollector();
    const server = await guardedServer({ bus, trustedProxies: ['loopback'] });
    const evil = { origin: 'https://evil.test', 'x-forwarded-for': '203.0.113.9' };
    await rawRequest(server.port, POLLING_PATH, evil);
    const untrusting = await guardedServer({ bus });
    await rawRequest(untrusting.port, POLLING_PATH, evil);
    expect(events.map((event) => event.ip)).toEqual(['203.0.113.9', '127.0.0.1']);
  });

  it('refuses a missing Origin and the literal null unless opted in', async () => {
    const { bus, events } = eventCollector();
    const strict = await guardedServer({ bus });
    // Node's socket.io-client sends no Origin unless told to.
    await expectConnectError(strict.url);
    await expectConnectError(strict.url, { transports: ['polling'] });
    await expectConnectError(strict.url, { extraHeaders: { origin: 'null' } });
    expect(events.map((event) => event.detail?.reason)).toEqual(['missing', 'missing', 'null']);

    const lenient = await guardedServer({ bus, allowMissingOrigin: true, allowNullOrigin: true });
    const native = await connectClient(lenient.url, { transports: ['polling'] });
    await expect(emitWithAck(native, 'ping')).resolves.toBe('pong');
    const sandboxed = await connectClient(lenient.url, { extraHeaders: { origin: 'null' } });
    await expect(emitWithAck(sandboxed, 'ping')).resolves.toBe('pong');
  });

  it('lets a same-origin polling request without Origin through (Sec-Fetch-Site)', async () => {
    const { bus } = eventCollector();
    // What a browser sends for a same-origin GET: no Origin, Sec-Fetch-Site: same-origin.
    const sameOrigin = { 'sec-fetch-site': 'same-origin' };
    const server = await guardedServer({ bus });
    expect((await rawRequest(server.port, POLLING_PATH, sameOrigin)).status).toBe(200);
    expect(
      (await rawRequest(server.port, POLLING_PATH, { 'sec-fetch-site': 'cross-site' })).status,
    ).toBe(403);
    const strict = await guardedServer({ bus, trustFetchMetadata: false });
    expect((await rawRequest(strict.port, POLLING_PATH, sameOrigin)).status).toBe(403);
  });

  it('waits for an async function entry, and fails closed when it rejects', async () => {
    const { bus, events } = eventCollector();
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const server = await guardedServer({
        bus,
        origins: [
          async (origin) => {
            await new Promise((resolve) => setTimeout(resolve, 20));
            if (origin === 'https://broken.test') throw new Error('tenant table unavailable');
            return origin === 'https://tenant.test';
          },
        ],
      });
      const tenant = await connectClient(server.url, {
        extraHeaders: { origin: 'https://tenant.test' },
      });
      await expect(emitWithAck(tenant, 'ping')).resolves.toBe('pong');
      await expectConnectError(server.url, { extraHeaders: { origin: 'https://other.test' } });
      const broken = await rawRequest(server.port, POLLING_PATH, {
        origin: 'https://broken.test',
      });
      expect(broken.status).toBe(403);
      expect(JSON.parse(broken.body)).toMatchObject({ code: 'INTERNAL' });
      expect(broken.body).not.toContain('tenant table');
      expect(events.map((event) => [event.code, event.detail?.reason])).toEqual([
        ['ORIGIN_REJECTED', 'not_allowed'],
        ['INTERNAL', 'check_failed'],
      ]);
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('agrees with the cors option built from the same matcher', async () => {
    const { bus } = eventCollector();
    const matcher = createOriginMatcher({ origins: [GOOD] });
    const server = await startServer({
      serverOptions: { cors: { origin: matcher.corsOrigin } },
      setup(io) {
        io.engine.use(originEngineMiddleware({ origins: [GOOD], bus }));
      },
    });
    const allowed = await rawRequest(server.port, POLLING_PATH, { origin: GOOD });
    expect(allowed.status).toBe(200);
    expect(allowed.headers?.['access-control-allow-origin']).toBe(GOOD);
    const refused = await rawRequest(server.port, POLLING_PATH, { origin: 'https://evil.test' });
    expect(refused.status).toBe(403);
    expect(refused.headers?.['access-control-allow-origin']).toBeUndefined();
  });
});

import type { SecurityEventBus } from '@portcullis/core';
import { originAllowRequest, type OriginEngineOptions } from '@portcullis/origin';
import {
  connectClient,
  emitWithAck,
  expectConnectError,
  startServer,
  type TestServer,
} from '@portcullis/testing';
import {
  GOOD,
  POLLING_PATH,
  SERVER_LOOK_ALIKES,
  WEBSOCKET_PATH,
  echo,
  eventCollector,
  openPollingSession,
  rawRequest,
  rawUpgrade,
} from './helpers';

function guardedServer(
  options: Partial<OriginEngineOptions> & { bus: SecurityEventBus },
): Promise<TestServer> {
  return startServer({
    serverOptions: {
      allowRequest: originAllowRequest({ origins: [GOOD], logIntervalMs: false, ...options }),
    },
    setup: echo,
  });
}

describe('originAllowRequest (the allowRequest server option)', () => {
  it('refuses every look-alike before any socket exists, and keeps serving', async () => {
    const { bus, events } = eventCollector();
    const server = await guardedServer({ bus });
    let connections = 0;
    server.io.on('connection', () => connections++);
    for (const origin of SERVER_LOOK_ALIKES) {
      await expectConnectError(server.url, { extraHeaders: { origin } });
      await expectConnectError(server.url, { transports: ['polling'], extraHeaders: { origin } });
    }
    expect(connections).toBe(0);
    expect(events).toHaveLength(SERVER_LOOK_ALIKES.length * 2);
    expect(events[0]).toMatchObject({
      type: 'handshake_refused',
      code: 'ORIGIN_REJECTED',
      ip: '127.0.0.1',
      origin: SERVER_LOOK_ALIKES[0],
      guard: 'origin',
      detail: { reason: 'not_allowed', transport: 'websocket', request: 'handshake' },
    });
    for (const transports of [['websocket'], ['polling']]) {
      const client = await connectClient(server.url, {
        transports,
        extraHeaders: { origin: GOOD },
      });
      await expect(emitWithAck(client, 'ping')).resolves.toBe('pong');
    }
  });

  it('answers a polling handshake with 403 and a websocket handshake with Engine.IO 400', async () => {
    const { bus } = eventCollector();
    const server = await guardedServer({ bus });
    const evil = { origin: 'https://evil.test' };
    const polling = await rawRequest(server.port, POLLING_PATH, evil);
    expect(polling.status).toBe(403);
    expect(JSON.parse(polling.body)).toEqual({
      code: 4,
      message: 'This origin is not allowed to connect.',
    });
    // Engine.IO answers every refused upgrade with 400, whatever allowRequest says.
    const upgrade = await rawUpgrade(server.port, WEBSOCKET_PATH, evil);
    expect(upgrade.status).toBe(400);
    expect((await rawUpgrade(server.port, WEBSOCKET_PATH, { origin: GOOD })).status).toBe(101);
  });

  it('applies the missing and null policies', async () => {
    const { bus } = eventCollector();
    const strict = await guardedServer({ bus });
    expect((await expectConnectError(strict.url, { transports: ['polling'] })).message).toBe(
      'xhr poll error',
    );
    await expectConnectError(strict.url, { extraHeaders: { origin: 'null' } });
    const lenient = await guardedServer({ bus, allowMissingOrigin: true, allowNullOrigin: true });
    await connectClient(lenient.url, { transports: ['polling'] });
    await connectClient(lenient.url, { extraHeaders: { origin: 'null' } });
  });

  // Engine.IO calls allowRequest only for requests without sid: this is why
  // originEngineMiddleware exists. If this test ever fails, Engine.IO changed.
  it('does not see follow-up requests (originEngineMiddleware does)', async () => {
    const { bus, events } = eventCollector();
    const server = await guardedServer({ bus });
    const sid = await openPollingSession(server.port, GOOD);
    const followUp = await rawRequest(
      server.port,
      `${POLLING_PATH}&sid=${sid}`,
      { origin: 'https://evil.test' },
      'POST',
      '40',
    );
    expect(followUp.status).toBe(200);
    expect(events).toEqual([]);
  });
});

import {
  GuardError,
  SecurityEventBus,
  configurePortcullis,
  getContext,
  handshakeGuard,
  type SecurityEvent,
} from '@portcullis/core';
import { connectClient, expectConnectError, startServer } from '@portcullis/testing';

function collect(bus: SecurityEventBus): SecurityEvent[] {
  const events: SecurityEvent[] = [];
  bus.on((event) => {
    events.push(event);
  });
  return events;
}

describe('handshakeGuard', () => {
  it('refuses with err.data.code in connect_error and records the refusal', async () => {
    const bus = new SecurityEventBus();
    const events = collect(bus);
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, { bus });
        io.use(
          handshakeGuard('test', () => new GuardError('RATE_LIMITED', { retryAfterMs: 1234.2 })),
        );
      },
    });
    const error = await expectConnectError(server.url);
    expect(error.message).toBe(new GuardError('RATE_LIMITED').message);
    expect(error.data).toEqual({
      code: 'RATE_LIMITED',
      message: error.message,
      retryable: true,
      retryAfterMs: 1235,
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'handshake_refused',
      code: 'RATE_LIMITED',
      guard: 'test',
      ip: '127.0.0.1',
    });
  });

  it('lets the connection through when the check returns nothing, sync or async', async () => {
    const server = await startServer({
      setup(io) {
        io.use(handshakeGuard('sync', () => undefined));
        io.use(handshakeGuard('async', async () => undefined));
      },
    });
    const client = await connectClient(server.url);
    expect(client.connected).toBe(true);
  });

  it('refuses from an async check', async () => {
    const server = await startServer({
      setup(io) {
        io.use(handshakeGuard('async', async () => new GuardError('AUTH_REQUIRED')));
      },
    });
    const error = await expectConnectError(server.url);
    expect(error.data?.code).toBe('AUTH_REQUIRED');
    expect(error.data?.retryable).toBe(false);
  });

  it('turns a throwing or rejecting check into INTERNAL without leaking the cause', async () => {
    const server = await startServer({
      setup(io) {
        io.use(
          handshakeGuard('boom', (socket) => {
            if (socket.handshake.auth.mode === 'ok') return undefined;
            if (socket.handshake.auth.mode === 'reject') {
              return Promise.reject(new Error('database password is hunter2'));
            }
            throw new Error('database password is hunter2');
          }),
        );
      },
    });
    for (const mode of ['throw', 'reject']) {
      const error = await expectConnectError(server.url, { auth: { mode } });
      expect(error.data?.code).toBe('INTERNAL');
      expect(JSON.stringify(error.data)).not.toContain('hunter2');
      expect(error.message).not.toContain('hunter2');
    }
    // The server still serves the next client.
    const client = await connectClient(server.url, { auth: { mode: 'ok' } });
    expect(client.connected).toBe(true);
  });

  it('creates the context on first use with ip, origin and timestamps', async () => {
    const seen: unknown[] = [];
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, { now: () => 42_000 });
        io.use(
          handshakeGuard('ctx', (socket) => {
            seen.push({ ...getContext(socket) });
            return undefined;
          }),
        );
      },
    });
    await connectClient(server.url, { extraHeaders: { origin: 'https://app.example.com' } });
    expect(seen).toEqual([
      {
        ip: '127.0.0.1',
        origin: 'https://app.example.com',
        connectedAt: 42_000,
        lastActivityAt: 42_000,
      },
    ]);
  });
});

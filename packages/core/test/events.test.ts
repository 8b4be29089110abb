import {
  GuardError,
  SecurityEventBus,
  configurePortcullis,
  disconnectWithCode,
  handshakeGuard,
  peekContext,
  recordConnections,
  usePacketGuards,
  type SecurityEvent,
} from '@portcullis/core';
import {
  connectClient,
  emitWithAck,
  expectConnectError,
  startServer,
  waitFor,
} from '@portcullis/testing';

describe('SecurityEventBus', () => {
  it('isolates a sink that throws or rejects: other sinks and the guard carry on', async () => {
    const warnings: string[] = [];
    const bus = new SecurityEventBus({
      onListenerError: (error) => warnings.push((error as Error).message),
    });
    const received: SecurityEvent[] = [];
    bus.on(() => {
      throw new Error('disk full');
    });
    bus.on(async () => {
      throw new Error('network down');
    });
    bus.on((event) => {
      received.push(event);
    });
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, { bus });
        usePacketGuards(io, {
          guardName: 'deny',
          check: (_socket, packet) =>
            packet[0] === 'bad' ? new GuardError('FORBIDDEN') : undefined,
        });
        io.on('connection', (socket) => socket.on('good', (ack: (v: string) => void) => ack('ok')));
      },
    });
    const client = await connectClient(server.url);
    expect(await emitWithAck(client, 'bad')).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(await emitWithAck(client, 'bad')).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(await emitWithAck(client, 'good')).toBe('ok');
    await new Promise((resolve) => setImmediate(resolve));
    expect(received.map((event) => event.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(bus.listenerErrors).toBe(4);
    // Reported once per failing sink, not once per event.
    expect(warnings.sort()).toEqual(['disk full', 'network down']);
  });

  it('unsubscribes', () => {
    const bus = new SecurityEventBus();
    const seen: string[] = [];
    const off = bus.on((event) => {
      seen.push(event.type);
    });
    bus.emit({ type: 'warning', at: 1, ip: '127.0.0.1' });
    off();
    bus.emit({ type: 'warning', at: 2, ip: '127.0.0.1' });
    expect(seen).toEqual(['warning']);
    expect(bus.listenerCount).toBe(0);
  });

  it('records every kind of event without the token, wherever the client put it', async () => {
    // The token rides everywhere a careless change could copy it from: the auth object,
    // the query string, the Authorization and Cookie headers, and the cause of refusals.
    const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.planted-secret-claims.planted-signature';
    const bus = new SecurityEventBus();
    const events: SecurityEvent[] = [];
    bus.on((event) => {
      events.push(event);
    });
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, { bus });
        io.use(
          handshakeGuard('test-auth', (socket) =>
            (socket.handshake.auth as { refuse?: boolean }).refuse === true
              ? new GuardError('AUTH_INVALID', { cause: new Error(`bad token ${TOKEN}`) })
              : undefined,
          ),
        );
        recordConnections(io);
        usePacketGuards(io, {
          guardName: 'deny',
          check: (_socket, packet) =>
            packet[0] === 'bad'
              ? new GuardError('FORBIDDEN', { cause: new Error(`token ${TOKEN}`) })
              : undefined,
        });
        io.on('connection', (socket) => {
          socket.on('cut', () =>
            disconnectWithCode(
              socket,
              new GuardError('SESSION_REVOKED', { cause: new Error(TOKEN) }),
              'test',
            ),
          );
        });
      },
    });
    const planted = {
      auth: { token: TOKEN },
      query: { token: TOKEN },
      extraHeaders: { authorization: `Bearer ${TOKEN}`, cookie: `session=${TOKEN}` },
    };
    const refused = await expectConnectError(server.url, {
      ...planted,
      auth: { token: TOKEN, refuse: true },
    });
    expect(refused.data?.code).toBe('AUTH_INVALID');
    const client = await connectClient(server.url, planted);
    expect(await emitWithAck(client, 'bad', { token: TOKEN })).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
    const gone = waitFor(client, 'disconnect');
    client.emit('cut');
    await gone;
    // The server's side of the disconnect is recorded once the socket has gone there too.
    for (let tries = 0; tries < 100 && !events.some((e) => e.type === 'disconnection'); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(events.map((event) => event.type)).toEqual([
      'handshake_refused',
      'connection',
      'packet_refused',
      'forced_disconnect',
      'disconnection',
    ]);
    expect(events[4]?.detail).toEqual({ reason: 'server namespace disconnect' });
    const written = JSON.stringify(events);
    expect(written).not.toContain('planted');
    expect(written).not.toContain('eyJhbGciOiJIUzI1NiJ9');
  });
});

describe('the shared context', () => {
  it('is visible through fetchSockets()', async () => {
    const server = await startServer({
      setup(io) {
        io.use((socket, next) => {
          // What auth does after verifying a token.
          const data = socket.data as { portcullis?: unknown };
          data.portcullis = undefined;
          next();
        });
        io.use((socket, next) => {
          import('@portcullis/core').then(({ getContext }) => {
            getContext(socket).user = { id: 'user-1', roles: ['admin'], claims: { sub: 'user-1' } };
            next();
          }, next);
        });
      },
    });
    await connectClient(server.url);
    const sockets = await server.io.fetchSockets();
    expect(sockets).toHaveLength(1);
    const context = peekContext(sockets[0] as { data: unknown });
    expect(context?.user).toEqual({ id: 'user-1', roles: ['admin'], claims: { sub: 'user-1' } });
    expect(context?.ip).toBe('127.0.0.1');
  });
});

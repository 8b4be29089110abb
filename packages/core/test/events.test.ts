import {
  GuardError,
  SecurityEventBus,
  configurePortcullis,
  peekContext,
  recordConnections,
  usePacketGuards,
  type SecurityEvent,
} from '@portcullis/core';
import { connectClient, emitWithAck, startServer, waitFor } from '@portcullis/testing';

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

  it('records connection and disconnection without the token', async () => {
    const bus = new SecurityEventBus();
    const events: SecurityEvent[] = [];
    bus.on((event) => {
      events.push(event);
    });
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, { bus });
        recordConnections(io);
      },
    });
    const client = await connectClient(server.url, { auth: { token: 'eyJhbGciOi.secret.token' } });
    const disconnected = waitFor(server.io.of('/'), 'connection', 50).catch(() => undefined);
    client.disconnect();
    await disconnected;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events.map((event) => event.type)).toEqual(['connection', 'disconnection']);
    expect(events[1]?.detail).toEqual({ reason: 'client namespace disconnect' });
    expect(JSON.stringify(events)).not.toContain('secret');
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

import {
  GuardError,
  SecurityEventBus,
  configurePortcullis,
  disconnectWithCode,
} from '@portcullis/core';
import { connectClient, startServer, waitFor } from '@portcullis/testing';

describe('disconnectWithCode', () => {
  it('tells the client the code first, then disconnects it', async () => {
    const bus = new SecurityEventBus();
    const types: string[] = [];
    bus.on((event) => {
      types.push(`${event.type}:${event.code ?? ''}`);
    });
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, { bus });
        io.on('connection', (socket) => {
          socket.on('logout-me', () =>
            disconnectWithCode(socket, new GuardError('SESSION_REVOKED'), 'test'),
          );
        });
      },
    });
    const client = await connectClient(server.url);
    const order: string[] = [];
    const notified = new Promise<unknown>((resolve) =>
      client.on('portcullis:disconnect', (payload: unknown) => {
        order.push('portcullis:disconnect');
        resolve(payload);
      }),
    );
    const disconnected = new Promise<string>((resolve) =>
      client.on('disconnect', (reason: string) => {
        order.push('disconnect');
        resolve(reason);
      }),
    );
    client.emit('logout-me');
    expect(await notified).toEqual({
      code: 'SESSION_REVOKED',
      message: new GuardError('SESSION_REVOKED').message,
      retryable: false,
    });
    expect(await disconnected).toBe('io server disconnect');
    expect(order).toEqual(['portcullis:disconnect', 'disconnect']);
    expect(types).toEqual(['forced_disconnect:SESSION_REVOKED']);
    expect(server.io.of('/').sockets.size).toBe(0);
  });

  it('uses the configured disconnect event and keeps other clients connected', async () => {
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, { disconnectEvent: 'app:bye' });
        io.on('connection', (socket) => {
          socket.on('idle', () =>
            disconnectWithCode(socket, new GuardError('IDLE_TIMEOUT'), 'test'),
          );
          socket.on('ping-me', (ack: (value: string) => void) => ack('pong'));
        });
      },
    });
    const leaving = await connectClient(server.url);
    const staying = await connectClient(server.url);
    const bye = waitFor(leaving, 'app:bye');
    const gone = waitFor(leaving, 'disconnect');
    leaving.emit('idle');
    expect((await bye)[0]).toMatchObject({ code: 'IDLE_TIMEOUT', retryable: true });
    await gone;
    expect(await staying.timeout(2000).emitWithAck('ping-me')).toBe('pong');
  });
});

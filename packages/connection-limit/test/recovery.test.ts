import { waitFor } from '@portcullis/testing';
import { connectAs, createAs, killTransport, limitedServer, waitUntil } from './helpers';

const recovery = {
  serverOptions: {
    connectionStateRecovery: { maxDisconnectionDuration: 10_000, skipMiddlewares: true },
  },
};
const reconnecting = { reconnection: true, reconnectionDelay: 800, randomizationFactor: 0 };

/**
 * Socket.io restores a session from the offset of the last broadcast the client
 * received, so the test broadcasts once before cutting the connection.
 */
async function receiveOneBroadcast(
  io: { emit(event: string, value: number): unknown },
  client: { once(event: string, listener: () => void): unknown },
) {
  const received = new Promise<void>((resolve) => client.once('tick', () => resolve()));
  io.emit('tick', 1);
  await received;
}

describe('connection-limit: connection state recovery (io.use skipped)', () => {
  it('counts a socket restored by connection state recovery', async () => {
    const { server, guard } = await limitedServer({ maxPerUser: 1 }, recovery);
    const client = createAs(server.url, { user: 'alice' }, reconnecting);
    await waitFor(client, 'connect');
    await receiveOneBroadcast(server.io, client);
    killTransport(client);
    await waitUntil(
      () => guard.stats().connections === 0,
      () => guard.stats(),
    );
    await waitFor(client, 'connect');
    expect(client.recovered).toBe(true);
    expect(guard.stats()).toMatchObject({ connections: 1, users: 1 });
  });

  it('disconnects a restored socket, with a code, when its place was taken meanwhile', async () => {
    const { server, guard } = await limitedServer({ maxPerUser: 1 }, recovery);
    const client = createAs(server.url, { user: 'alice' }, reconnecting);
    await waitFor(client, 'connect');
    await receiveOneBroadcast(server.io, client);
    killTransport(client);
    await waitUntil(
      () => guard.stats().connections === 0,
      () => guard.stats(),
    );
    const told = waitFor(client, 'portcullis:disconnect', 8000);
    await connectAs(server.url, { user: 'alice' });
    expect((await told)[0]).toMatchObject({ code: 'CONNECTION_LIMIT', info: { limit: 'user' } });
    await waitUntil(
      () => guard.stats().connections === 1,
      () => guard.stats(),
    );
  });
});

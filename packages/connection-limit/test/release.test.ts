import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { onCleanup, waitFor } from '@portcullis/testing';
import { Manager } from 'socket.io-client';
import { connectAs, createAs, killTransport, limitedServer, refusedAs, waitUntil } from './helpers';

/** Starts a process that holds `count` connections from `ip`; resolves once they are up. */
async function holdSocketsInChild(url: string, count: number, ip: string) {
  const child = spawn(
    process.execPath,
    [join(__dirname, 'fixtures', 'hold-sockets.mjs'), url, String(count), ip],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  onCleanup(() => {
    child.kill('SIGKILL');
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) resolve();
      if (output.includes('error')) reject(new Error(output));
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code}: ${output}`)));
  });
  return child;
}

/** A stand-in for Socket.io's map of handshakes in progress that is not a `Map`. */
class NotAMap<K, V> {
  private readonly entries = new Map<K, V>();
  get(key: K) {
    return this.entries.get(key);
  }
  set(key: K, value: V) {
    this.entries.set(key, value);
    return this;
  }
  delete(key: K) {
    return this.entries.delete(key);
  }
}

describe('connection-limit: counts are released on every kind of disconnect', () => {
  it('releases what a killed client process held', async () => {
    const { server, guard } = await limitedServer({ maxPerIp: 5 });
    const child = await holdSocketsInChild(server.url, 5, '10.1.1.1');
    expect(guard.stats()).toMatchObject({ connections: 5, ips: 1 });
    expect((await refusedAs(server.url, { ip: '10.1.1.1' })).data).toMatchObject({
      info: { limit: 'ip' },
    });
    child.kill('SIGKILL');
    await waitUntil(
      () => guard.stats().connections === 0,
      () => guard.stats(),
    );
    expect(guard.stats()).toMatchObject({ connections: 0, pending: 0, ips: 0 });
    for (let index = 0; index < 5; index++) await connectAs(server.url, { ip: '10.1.1.1' });
  });

  it('releases a socket whose TCP connection is cut without a close handshake', async () => {
    const { server, guard } = await limitedServer({ maxPerUser: 1 });
    const client = await connectAs(server.url, { ip: '10.0.0.1', user: 'alice' });
    expect((await refusedAs(server.url, { user: 'alice' })).data).toMatchObject({
      info: { limit: 'user' },
    });
    killTransport(client);
    await waitUntil(
      () => guard.stats().connections === 0,
      () => guard.stats(),
    );
    expect(guard.stats()).toMatchObject({ users: 0, ips: 0 });
    await connectAs(server.url, { user: 'alice' });
  });

  it('releases a handshake cut while a later middleware is still deciding', async () => {
    let reached: () => void = () => undefined;
    const atLaterMiddleware = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const { server, guard } = await limitedServer(
      { maxPerIp: 1 },
      {
        // Never answers: the handshake stays pending until the client goes away.
        after: () => reached(),
      },
    );
    const client = createAs(server.url, { ip: '10.0.0.1' });
    await atLaterMiddleware;
    expect(guard.stats()).toMatchObject({ connections: 0, pending: 1 });
    killTransport(client);
    await waitUntil(
      () => guard.stats().pending === 0,
      () => guard.stats(),
    );
    expect(guard.stats()).toMatchObject({ connections: 0, ips: 0 });
  });

  it('releases a handshake refused by a later middleware, at once and every time', async () => {
    const { server, guard } = await limitedServer(
      { maxPerIp: 1 },
      {
        after: (socket, next) => {
          const user = (socket.handshake.auth as { user?: string }).user;
          next(user === 'revoked' ? new Error('revoked') : undefined);
        },
      },
    );
    for (let attempt = 0; attempt < 5; attempt++) {
      const error = await refusedAs(server.url, { ip: '10.0.0.1', user: 'revoked' });
      expect(error.message).toBe('revoked');
      await waitUntil(
        () => guard.stats().pending === 0,
        () => guard.stats(),
      );
    }
    expect(guard.stats()).toMatchObject({ connections: 0, pending: 0, users: 0, ips: 0 });
    await connectAs(server.url, { ip: '10.0.0.1', user: 'alice' });
  });

  // A refused namespace does not close the connection when another namespace of the same
  // client is connected on it: the place must come back without the connection's close.
  for (const socketIo of ['4.8 and later', 'before 4.8 (outgoing frames read)']) {
    it(`releases a refused handshake while the connection stays open (Socket.io ${socketIo})`, async () => {
      const { server, guard } = await limitedServer(
        { maxPerIp: 1 },
        {
          before: (io) => {
            io.of('/other');
            // Before 4.8, Socket.io kept no map of handshakes in progress.
            if (socketIo.startsWith('before')) {
              (io.of('/') as unknown as { _preConnectSockets: unknown })._preConnectSockets =
                new NotAMap();
            }
          },
          after: (socket, next) => {
            const user = (socket.handshake.auth as { user?: string }).user;
            next(user === 'revoked' ? new Error('revoked') : undefined);
          },
        },
      );
      const manager = new Manager(server.url, {
        transports: ['websocket'],
        reconnection: false,
        autoConnect: false,
        extraHeaders: { 'x-forwarded-for': '10.0.0.1' },
      });
      const other = manager.socket('/other');
      onCleanup(() => {
        other.disconnect();
      });
      other.connect();
      await waitFor(other, 'connect');
      for (let attempt = 0; attempt < 3; attempt++) {
        const main = manager.socket('/', { auth: { user: 'revoked' } });
        main.connect();
        const [error] = (await waitFor(main, 'connect_error')) as [Error];
        expect(error.message).toBe('revoked');
        await waitUntil(
          () => guard.stats().pending === 0,
          () => guard.stats(),
          2000,
        );
        expect(other.connected).toBe(true);
      }
      await connectAs(server.url, { ip: '10.0.0.1', user: 'alice' });
      expect(guard.stats()).toMatchObject({ connections: 1, pending: 0 });
    });
  }

  it('gives up the place of a handshake that never completes after pendingTimeoutMs', async () => {
    const { server, guard } = await limitedServer(
      { maxPerIp: 1, pendingTimeoutMs: 200 },
      { after: () => undefined },
    );
    createAs(server.url, { ip: '10.0.0.1' });
    await waitUntil(
      () => guard.stats().pending === 1,
      () => guard.stats(),
    );
    await waitUntil(
      () => guard.stats().pending === 0,
      () => guard.stats(),
    );
    expect(guard.stats()).toMatchObject({ connections: 0, ips: 0 });
  });

  it("leaves the connection's close listeners as Socket.io set them, and all of them run", async () => {
    const { server, guard } = await limitedServer({});
    const client = await connectAs(server.url, { user: 'alice' });
    const socket = [...server.io.of('/').sockets.values()][0];
    if (socket === undefined) throw new Error('no server socket');
    // The guard listened to `close` during the handshake and let go at connection.
    const listeners = socket.conn.rawListeners('close');
    expect(listeners).toHaveLength(2);
    const reason = waitFor(socket, 'disconnect');
    killTransport(client);
    // Socket.io's own `close` listener ran: the socket saw its transport close.
    expect(await reason).toEqual(['transport close', undefined]);
    await waitUntil(
      () => guard.stats().connections === 0,
      () => guard.stats(),
    );
  });

  it('releases on server-side disconnects and client-side disconnects alike', async () => {
    const { server, guard } = await limitedServer({});
    const leaving = await connectAs(server.url, { user: 'alice' });
    const kicked = await connectAs(server.url, { user: 'bob' });
    leaving.disconnect();
    const gone = waitFor(kicked, 'disconnect');
    server.io.in(kicked.id as string).disconnectSockets(true);
    await gone;
    await waitUntil(
      () => guard.stats().connections === 0,
      () => guard.stats(),
    );
    expect(guard.stats()).toMatchObject({ users: 0, ips: 0 });
  });
});

import type { Server, Socket } from 'socket.io';
import {
  GuardError,
  MAX_HELD_PACKETS,
  SecurityEventBus,
  configurePortcullis,
  handshakeGuard,
  holdPackets,
  packetsHeld,
  rerunHandshakeOnRecovery,
  restoreSessionsOnce,
  type SecurityEvent,
} from '@portcullis/core';
import {
  connectClient,
  createClient,
  delay,
  emitWithAck,
  startServer,
  waitFor,
  type ClientSocket,
} from '@portcullis/testing';

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A server whose sockets are held on connection until the test settles the check. */
async function heldServer(check: (socket: Socket) => Promise<void>, timeoutMs?: number) {
  const handled: unknown[] = [];
  const sockets: Socket[] = [];
  const server = await startServer<Server>({
    setup(io) {
      io.on('connection', (socket) => {
        sockets.push(socket);
        holdPackets(socket, check(socket), {
          guard: 'test',
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
        });
        socket.on('work', (value: unknown, ack?: (reply: unknown) => void) => {
          handled.push(value);
          ack?.({ ok: true, value });
        });
      });
    },
  });
  return { server, handled, sockets };
}

describe('holdPackets', () => {
  it('holds packets until the check answers, then lets them through in order', async () => {
    const check = deferred();
    const { server, handled, sockets } = await heldServer(() => check.promise);
    const client = await connectClient(server.url);
    const acks = [1, 2, 3].map((value) => emitWithAck(client, 'work', value));
    await delay(150);
    expect(handled).toEqual([]);
    expect(packetsHeld(sockets[0] as Socket)).toBe(true);
    check.resolve();
    expect(await Promise.all(acks)).toEqual([
      { ok: true, value: 1 },
      { ok: true, value: 2 },
      { ok: true, value: 3 },
    ]);
    expect(handled).toEqual([1, 2, 3]);
    expect(packetsHeld(sockets[0] as Socket)).toBe(false);
    // Once open, packets go straight through.
    expect(await emitWithAck(client, 'work', 4)).toEqual({ ok: true, value: 4 });
  });

  it('drops what a socket sent when the check cuts it', async () => {
    const check = deferred();
    const { server, handled, sockets } = await heldServer(() => check.promise);
    const client = await connectClient(server.url);
    client.emit('work', 'early');
    await delay(100);
    const notice = waitFor(client, 'portcullis:disconnect');
    (sockets[0] as Socket).disconnect(true);
    check.resolve();
    await waitFor(client, 'disconnect');
    await delay(100);
    expect(handled).toEqual([]);
    void notice.catch(() => undefined);
  });

  it('cuts the socket with INTERNAL when the check rejects or never answers', async () => {
    const { server, handled } = await heldServer(() => Promise.reject(new Error('store down')));
    // The cut comes right after the connection: listen before connecting.
    const client = createClient(server.url);
    const [notice] = await waitFor(client, 'portcullis:disconnect');
    expect(notice).toMatchObject({ code: 'INTERNAL', retryable: true });
    expect(JSON.stringify(notice)).not.toContain('store down');

    const hanging = await heldServer(() => new Promise<void>(() => undefined), 200);
    const slow = await connectClient(hanging.server.url);
    slow.emit('work', 'never');
    const [timeout] = await waitFor(slow, 'portcullis:disconnect');
    expect(timeout).toMatchObject({ code: 'INTERNAL' });
    expect(hanging.handled).toEqual([]);
    expect(handled).toEqual([]);
  });

  it('refuses packets past the held budget with RATE_LIMITED and keeps the rest', async () => {
    const check = deferred();
    const { server, handled } = await heldServer(() => check.promise);
    const client = await connectClient(server.url);
    const acks: Promise<unknown>[] = [];
    for (let index = 0; index < MAX_HELD_PACKETS + 5; index++) {
      acks.push(emitWithAck(client, 'work', index));
    }
    await delay(300);
    check.resolve();
    const replies = await Promise.all(acks);
    const refused = replies.filter(
      (reply) => (reply as { error?: { code?: string } }).error?.code === 'RATE_LIMITED',
    );
    expect(refused).toHaveLength(5);
    expect(handled).toHaveLength(MAX_HELD_PACKETS);
    expect(handled[0]).toBe(0);
  });
});

/** Connects, receives one broadcast (recovery needs an offset), then loses the transport. */
async function connectAndDrop(
  server: { io: Server; url: string },
  beforeDrop: () => void = () => undefined,
): Promise<ClientSocket> {
  const client = await connectClient(server.url, {
    reconnection: true,
    reconnectionDelay: 50,
    reconnectionDelayMax: 100,
  });
  const tick = waitFor(client, 'tick');
  server.io.emit('tick');
  await tick;
  beforeDrop();
  client.io.engine.close();
  return client;
}

/** The pid and offset a recovering client sends, read off a connected client. */
function savedSession(client: ClientSocket): { pid: string; offset: string } {
  const internals = client as unknown as { _pid?: string; _lastOffset?: string };
  if (internals._pid === undefined || internals._lastOffset === undefined) {
    throw new Error('the client holds no recoverable session');
  }
  return { pid: internals._pid, offset: internals._lastOffset };
}

describe('rerunHandshakeOnRecovery', () => {
  it('re-runs the handshake on a recovered socket and cuts it, before any packet is handled', async () => {
    let refuseNow = false;
    let checks = 0;
    const handled: unknown[] = [];
    const recovered: boolean[] = [];
    const gate = handshakeGuard('test', () => {
      checks++;
      if (!refuseNow) return undefined;
      // Asynchronous, like a Redis lookup: packets arrive while it runs.
      return delay(150).then(() => new GuardError('SESSION_REVOKED'));
    });
    const server = await startServer<Server>({
      serverOptions: { connectionStateRecovery: { maxDisconnectionDuration: 60_000 } },
      setup(io) {
        io.use(gate);
        rerunHandshakeOnRecovery(io, [gate], { guard: 'recovery' });
        io.on('connection', (socket) => {
          recovered.push(socket.recovered);
          socket.on('work', (value: unknown) => handled.push(value));
        });
      },
    });
    const kept = await connectAndDrop(server);
    await waitFor(kept, 'connect');
    expect(recovered).toEqual([false, true]);
    expect(checks).toBe(2); // the check ran again although Socket.io skipped io.use

    const cut = await connectAndDrop(server, () => {
      refuseNow = true;
    });
    const notice = waitFor(cut, 'portcullis:disconnect');
    await waitFor(cut, 'connect');
    for (let index = 0; index < 20; index++) cut.emit('work', index);
    const [payload] = await notice;
    expect(payload).toMatchObject({ code: 'SESSION_REVOKED', retryable: false });
    await delay(100);
    expect(handled).toEqual([]);
    expect(recovered).toEqual([false, true, false, true]);
  });

  it('leaves recovered sockets alone when Socket.io ran the middlewares itself', async () => {
    let checks = 0;
    const gate = handshakeGuard('test', () => {
      checks++;
      return undefined;
    });
    const server = await startServer<Server>({
      serverOptions: {
        connectionStateRecovery: { maxDisconnectionDuration: 60_000, skipMiddlewares: false },
      },
      setup(io) {
        io.use(gate);
        rerunHandshakeOnRecovery(io, [gate], { guard: 'recovery' });
      },
    });
    const client = await connectAndDrop(server);
    await waitFor(client, 'connect');
    expect(client.recovered).toBe(true);
    expect(checks).toBe(2); // once per handshake: io.use ran, the re-run did not
  });
});

describe('restoreSessionsOnce', () => {
  async function recoveryServer(guarded: boolean, bus?: SecurityEventBus) {
    const connected: { id: string; recovered: boolean }[] = [];
    const server = await startServer<Server>({
      serverOptions: { connectionStateRecovery: { maxDisconnectionDuration: 60_000 } },
      setup(io) {
        if (bus !== undefined) configurePortcullis(io, { bus });
        if (guarded) restoreSessionsOnce(io.of('/'));
        io.on('connection', (socket) =>
          connected.push({ id: socket.id, recovered: socket.recovered }),
        );
      },
    });
    return { server, connected };
  }

  /** Saves a session, then restores it from two fresh clients. */
  async function restoreTwice(server: { io: Server; url: string }) {
    const original = await connectClient(server.url);
    const tick = waitFor(original, 'tick');
    server.io.emit('tick');
    await tick;
    const saved = savedSession(original);
    // A lost transport (not a deliberate disconnect) is what the server saves a session for.
    original.io.engine.close();
    await delay(50);
    // Nothing but the saved pid and offset is needed to ask for the session back.
    const first = await connectClient(server.url, { auth: saved });
    const second = await connectClient(server.url, { auth: saved });
    return { originalId: original.id, first, second };
  }

  it('without it, Socket.io restores one saved session twice (two live sockets, one id)', async () => {
    const { server, connected } = await recoveryServer(false);
    await restoreTwice(server);
    expect(connected.slice(1)).toEqual([
      { id: connected[0]?.id, recovered: true },
      { id: connected[0]?.id, recovered: true },
    ]);
  });

  it('restores a saved session once; a second copy gets a fresh socket', async () => {
    const bus = new SecurityEventBus();
    const events: SecurityEvent[] = [];
    bus.on((event) => {
      events.push(event);
    });
    const { server, connected } = await recoveryServer(true, bus);
    const { first, second } = await restoreTwice(server);
    expect(connected[1]).toEqual({ id: connected[0]?.id, recovered: true });
    expect(connected[2]?.recovered).toBe(false);
    expect(connected[2]?.id).not.toBe(connected[0]?.id);
    expect(second.id).toBe(connected[2]?.id);
    expect(events.some((event) => event.detail?.reason === 'session-restored-twice')).toBe(true);

    // Once the restored copy has gone, its new saved session can be restored again.
    const tick = waitFor(first, 'tick');
    server.io.emit('tick');
    await tick;
    const saved = savedSession(first);
    first.io.engine.close();
    await delay(50);
    await connectClient(server.url, { auth: saved });
    expect(connected[3]).toEqual({ id: connected[0]?.id, recovered: true });
  });
});

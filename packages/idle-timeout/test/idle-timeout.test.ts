import {
  SecurityEventBus,
  configurePortcullis,
  usePacketGuards,
  type SecurityEvent,
} from '@portcullis/core';
import {
  connectClient,
  createClient,
  emitWithAck,
  expectSilence,
  startServer,
  waitFor,
  type ClientSocket,
} from '@portcullis/testing';
import { idleTimeoutGuard, type IdleTimeoutGuardOptions } from '../src';

const IDLE_MS = 300;

async function idleServer(options: IdleTimeoutGuardOptions, serverOptions = {}) {
  const guard = idleTimeoutGuard(options);
  const handled: string[] = [];
  const server = await startServer({
    serverOptions,
    setup(io) {
      usePacketGuards(io, guard);
      io.on('connection', (socket) => {
        socket.on('chat', (ack?: (value: string) => void) => {
          handled.push('chat');
          ack?.('ok');
        });
        socket.on('presence:ping', () => handled.push('presence:ping'));
      });
    },
  });
  return { server, guard, handled };
}

/** Emits `event` every `everyMs` until stopped. */
function keepBusy(client: ClientSocket, event: string, everyMs: number): () => void {
  const timer = setInterval(() => client.emit(event), everyMs);
  return () => clearInterval(timer);
}

describe('idleTimeoutGuard', () => {
  it('cuts an idle socket with IDLE_TIMEOUT and keeps an active one', async () => {
    const { server, handled } = await idleServer({ idleTimeoutMs: IDLE_MS });
    const idle = await connectClient(server.url);
    const active = await connectClient(server.url);
    const stop = keepBusy(active, 'chat', 60);
    try {
      const notified = waitFor(idle, 'portcullis:disconnect', 10_000);
      const closed = waitFor(idle, 'disconnect', 10_000);
      const [payload] = await notified;
      expect(payload).toMatchObject({
        code: 'IDLE_TIMEOUT',
        retryable: true,
        info: { reason: 'idle', idleTimeoutMs: IDLE_MS },
      });
      expect((await closed)[0]).toBe('io server disconnect');
      // The active socket outlives several idle periods.
      await expectSilence(active, 'portcullis:disconnect', 3 * IDLE_MS);
      expect(active.connected).toBe(true);
      expect(await emitWithAck(active, 'chat')).toBe('ok');
      expect(handled.length).toBeGreaterThan(3);
    } finally {
      stop();
    }
  });

  it('does not count Socket.io heartbeats as activity', async () => {
    // Pings every 50 ms: six of them per idle period, and still the socket is idle.
    const { server } = await idleServer(
      { idleTimeoutMs: IDLE_MS },
      { pingInterval: 50, pingTimeout: 1000 },
    );
    const client = await connectClient(server.url);
    let pings = 0;
    client.io.engine.on('ping', () => pings++);
    const [payload] = await waitFor(client, 'portcullis:disconnect', 10_000);
    expect(payload).toMatchObject({ code: 'IDLE_TIMEOUT' });
    expect(pings).toBeGreaterThanOrEqual(2);
  });

  it('lets countsAsActivity leave out an application keep-alive', async () => {
    const { server, handled } = await idleServer({
      idleTimeoutMs: IDLE_MS,
      countsAsActivity: (event) => event !== 'presence:ping',
    });
    const pinging = await connectClient(server.url);
    const chatting = await connectClient(server.url);
    const stopPinging = keepBusy(pinging, 'presence:ping', 60);
    const stopChatting = keepBusy(chatting, 'chat', 60);
    try {
      const [payload] = await waitFor(pinging, 'portcullis:disconnect', 10_000);
      expect(payload).toMatchObject({ code: 'IDLE_TIMEOUT' });
      // The keep-alive still reached its handler: it is not refused, only not counted.
      expect(handled).toContain('presence:ping');
      await expectSilence(chatting, 'portcullis:disconnect', 2 * IDLE_MS);
      expect(chatting.connected).toBe(true);
    } finally {
      stopPinging();
      stopChatting();
    }
  });

  it('cuts even an active socket at maxConnectionAgeMs', async () => {
    const { server } = await idleServer({ idleTimeoutMs: 60_000, maxConnectionAgeMs: 400 });
    const client = await connectClient(server.url);
    const stop = keepBusy(client, 'chat', 50);
    try {
      const [payload] = await waitFor(client, 'portcullis:disconnect', 10_000);
      expect(payload).toMatchObject({
        code: 'IDLE_TIMEOUT',
        retryable: true,
        info: { reason: 'max-age', maxConnectionAgeMs: 400 },
      });
    } finally {
      stop();
    }
  });

  it("decides on core's clock: activity moves the deadline", async () => {
    let clock = 1_000_000;
    const now = (): number => clock;
    const bus = new SecurityEventBus();
    const events: SecurityEvent[] = [];
    bus.on((event) => {
      events.push(event);
    });
    const guard = idleTimeoutGuard({ idleTimeoutMs: 60_000 });
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, { now, bus });
        usePacketGuards(io, guard);
        io.on('connection', (socket) => socket.on('chat', (ack: (v: string) => void) => ack('ok')));
      },
    });
    const client = await connectClient(server.url);
    clock += 59_000;
    guard.sweep();
    expect(await emitWithAck(client, 'chat')).toBe('ok'); // activity at +59 s
    clock += 59_000; // +118 s: idle for 59 s only
    guard.sweep();
    expect(await emitWithAck(client, 'chat')).toBe('ok');
    expect(client.connected).toBe(true);
    clock += 60_000;
    const cut = waitFor(client, 'portcullis:disconnect');
    guard.sweep();
    expect((await cut)[0]).toMatchObject({ code: 'IDLE_TIMEOUT' });
    expect(events).toEqual([
      expect.objectContaining({
        type: 'forced_disconnect',
        code: 'IDLE_TIMEOUT',
        guard: 'idle-timeout',
      }),
    ]);
  });

  it('with idleTimeoutMs: false, leaves a silent socket alone until its maximum age', async () => {
    let clock = 2_000_000;
    const now = (): number => clock;
    const guard = idleTimeoutGuard({ idleTimeoutMs: false, maxConnectionAgeMs: 60 * 60_000 });
    const server = await startServer({
      setup(io) {
        configurePortcullis(io, { now });
        usePacketGuards(io, guard);
      },
    });
    const client = await connectClient(server.url);
    clock += 59 * 60_000; // silent for 59 minutes: far past the default idle timeout
    guard.sweep();
    await expectSilence(client, 'portcullis:disconnect', 100);
    clock += 60_000;
    const cut = waitFor(client, 'portcullis:disconnect');
    guard.sweep();
    expect((await cut)[0]).toMatchObject({ code: 'IDLE_TIMEOUT', info: { reason: 'max-age' } });
  });

  it('re-checks a recovered socket: time spent disconnected counts as idle', async () => {
    let clock = 5_000_000;
    const now = (): number => clock;
    const guard = idleTimeoutGuard({ idleTimeoutMs: 60_000 });
    let recovered = false;
    const server = await startServer({
      serverOptions: { connectionStateRecovery: {} },
      setup(io) {
        configurePortcullis(io, { now });
        usePacketGuards(io, guard);
        io.on('connection', (socket) => {
          if (socket.recovered) recovered = true;
          // Recovery needs an offset: the client must have received a packet.
          else socket.emit('welcome');
        });
      },
    });
    const client = createClient(server.url);
    await waitFor(client, 'welcome');
    // Cut the transport as a network failure would; the server keeps the session.
    const dropped = waitFor(client, 'disconnect');
    client.io.engine.close();
    await dropped;
    clock += 61_000;
    const cut = waitFor(client, 'portcullis:disconnect');
    client.connect();
    expect((await cut)[0]).toMatchObject({ code: 'IDLE_TIMEOUT' });
    expect(recovered).toBe(true);
  });

  it('releases its entry when a socket leaves, and its timer with the last one', async () => {
    const { server, guard } = await idleServer({ idleTimeoutMs: 60_000 });
    const first = await connectClient(server.url);
    const second = await connectClient(server.url);
    expect(guard.watchedSockets).toBe(2);
    expect(guard.timerCount).toBe(1);
    first.disconnect();
    second.disconnect();
    for (let tries = 0; tries < 100 && guard.watchedSockets > 0; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(guard.watchedSockets).toBe(0);
    expect(guard.timerCount).toBe(0);
  });
});

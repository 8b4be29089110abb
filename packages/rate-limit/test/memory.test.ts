import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AnySocket } from '@portcullis/core';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { delay } from '@portcullis/testing';
import { connectionRateLimitGuard, messageRateLimitGuard } from '@portcullis/rate-limit';
import { guardedServer, testAuth } from './helpers';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function settledHeap(): Promise<number> {
  for (let round = 0; round < 4; round++) {
    gc();
    await delay(20);
  }
  return process.memoryUsage().heapUsed;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await delay(100);
  }
}

/**
 * The harness keeps every client it opened until the test ends (to close it), which
 * would weigh in the heap; these clients are closed here and then forgotten.
 */
function connectForgettable(url: string, userId: string): Promise<ClientSocket> {
  const socket = connect(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: { userId },
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error: Error) => {
      socket.disconnect();
      reject(error);
    });
  });
}

const SOCKETS = 1000;
const BATCH = 50;

describe('memory', () => {
  it('returns to its baseline after 1,000 sockets connect, send and leave', async () => {
    const window = { durationMs: 1000 };
    const connections = connectionRateLimitGuard({
      perIp: { points: 100_000, ...window },
      perUser: { points: 10, ...window },
    });
    const messages = messageRateLimitGuard({
      perUser: { points: 100, ...window },
      perEvent: { 'file:upload': { points: 5, ...window } },
    });
    const serverSockets: WeakRef<AnySocket>[] = [];
    const { server } = await guardedServer({
      handshake: [connections, testAuth],
      packetGuards: [messages],
      extraSetup: (io) => io.on('connection', (socket) => serverSockets.push(new WeakRef(socket))),
    });

    const wave = async (from: number, count: number) => {
      for (let start = from; start < from + count; start += BATCH) {
        const clients: ClientSocket[] = await Promise.all(
          Array.from({ length: Math.min(BATCH, from + count - start) }, (_, index) =>
            connectForgettable(server.url, `user-${start + index}`),
          ),
        );
        await Promise.all(
          clients.map(async (client) => {
            await client.timeout(5000).emitWithAck('chat:send', 'hello');
            await client.timeout(5000).emitWithAck('file:upload', 'data');
          }),
        );
        for (const client of clients) client.disconnect();
        await until(() => server.io.of('/').sockets.size === 0, 10_000);
      }
    };

    // Warm Socket.io, the parser and the JIT up before taking the baseline.
    await wave(-300, 300);
    await until(() => connections.trackedKeys() === 0 && messages.trackedKeys() === 0, 5000);
    serverSockets.length = 0;
    const baseline = await settledHeap();

    await wave(0, SOCKETS);
    expect(serverSockets).toHaveLength(SOCKETS);
    // Per-user and per-event keys were there while their windows ran...
    expect(messages.trackedKeys()).toBeGreaterThan(0);
    // ...and are swept once the windows end.
    await until(() => connections.trackedKeys() === 0 && messages.trackedKeys() === 0, 5000);

    const after = await settledHeap();
    const alive = serverSockets.filter((ref) => ref.deref() !== undefined).length;
    expect(alive).toBe(0);
    // Bare Socket.io itself moves by about 1 MB here (JIT, buffers), so the bound is
    // loose; 1,000 sockets kept alive would weigh 7 MB or more. The exact checks are
    // the two above: every socket collected, every key swept.
    expect(after - baseline).toBeLessThan(3_000_000);
    console.log(
      `memory: baseline ${(baseline / 1e6).toFixed(2)} MB, after ${SOCKETS} sockets ${(after / 1e6).toFixed(2)} MB`,
    );
  }, 90_000);
});

// Heap after waves of 1,000 sockets that connect, send two acked messages and leave:
// bare Socket.io against the same server with every rate-limit guard installed.
// Build first (corepack pnpm --filter @portcullis/rate-limit build), then from
// packages/rate-limit:   node --expose-gc bench/memory.mjs bare
//                        node --expose-gc bench/memory.mjs guarded
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { getContext, handshakeGuard, usePacketGuards } from '@portcullis/core';
import { connectionRateLimitGuard, messageRateLimitGuard } from '@portcullis/rate-limit';

const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('run with node --expose-gc');
const guarded = process.argv[2] === 'guarded';
const WAVES = 4;
const WAVE = 1000;
const BATCH = 50;

const http = createServer();
const io = new Server(http);
const window = { durationMs: 1000 };
const connections = connectionRateLimitGuard({
  perIp: { points: 1_000_000, ...window },
  perUser: { points: 10, ...window },
});
const messages = messageRateLimitGuard({
  perUser: { points: 100, ...window },
  perEvent: { 'file:upload': { points: 5, ...window } },
});
if (guarded) {
  io.use(connections);
  io.use(
    handshakeGuard('bench-auth', (socket) => {
      getContext(socket).user = { id: socket.handshake.auth.userId, roles: [], claims: {} };
    }),
  );
  usePacketGuards(io, messages);
}
io.on('connection', (socket) => {
  socket.on('chat:send', (_message, ack) => ack({ ok: true }));
  socket.on('file:upload', (_message, ack) => ack({ ok: true }));
});
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${http.address().port}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function open(userId) {
  return new Promise((resolve) => {
    const client = connect(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { userId },
    });
    client.once('connect', () => resolve(client));
  });
}

async function wave(from, count) {
  for (let start = from; start < from + count; start += BATCH) {
    const clients = await Promise.all(
      Array.from({ length: BATCH }, (_, index) => open(`user-${start + index}`)),
    );
    await Promise.all(
      clients.map(async (client) => {
        await client.emitWithAck('chat:send', 'hello');
        await client.emitWithAck('file:upload', 'data');
      }),
    );
    for (const client of clients) client.disconnect();
    while (io.of('/').sockets.size > 0) await sleep(20);
  }
}

async function heap() {
  await sleep(2500); // windows end, sweeps run
  for (let round = 0; round < 5; round++) {
    gc();
    await sleep(20);
  }
  return process.memoryUsage().heapUsed;
}

await wave(-WAVE, 300);
const baseline = await heap();
for (let index = 0; index < WAVES; index++) {
  await wave(index * WAVE, WAVE);
  const used = await heap();
  const keys = connections.trackedKeys() + messages.trackedKeys();
  console.log(
    `${guarded ? 'guarded' : 'bare'}: after ${(index + 1) * WAVE} sockets, heap ` +
      `${((used - baseline) / 1e6).toFixed(2)} MB above baseline, limiter keys ${keys}`,
  );
}
io.close();
process.exit(0);

// Per-packet cost of the guard's check on a real connected socket (no network in the
// loop: the check itself). Needs a build: corepack pnpm --filter @portcullis/session-expiry build
//   node packages/session-expiry/bench/check-cost.mjs [calls=2000000]
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { getContext, handshakeGuard, usePacketGuards } from '@portcullis/core';
import { sessionExpiryGuard } from '../dist/index.js';

const CALLS = Number(process.argv[2] ?? 2_000_000);
const guard = sessionExpiryGuard({ revalidate: () => true, onRevalidateError: 'allow' });
const http = createServer();
const io = new Server(http);
io.use(
  handshakeGuard('bench-user', (socket) => {
    getContext(socket).user = { id: 'u', roles: [], expiresAt: Date.now() + 3_600_000, claims: {} };
  }),
);
usePacketGuards(io, guard);
const connected = new Promise((resolve) => io.on('connection', resolve));
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
const client = connect(`http://127.0.0.1:${http.address().port}`, { transports: ['websocket'] });
const socket = await connected;
const packet = ['chat:send', { text: 'hello' }];
for (let index = 0; index < 100_000; index++) guard.check(socket, packet); // warm-up
const heapBefore = process.memoryUsage().heapUsed;
const started = process.hrtime.bigint();
for (let index = 0; index < CALLS; index++) guard.check(socket, packet);
const elapsed = Number(process.hrtime.bigint() - started);
const heapAfter = process.memoryUsage().heapUsed;
console.log(
  `session-expiry check: ${(elapsed / CALLS).toFixed(1)} ns per packet over ${CALLS} calls ` +
    `(heap ${((heapAfter - heapBefore) / 1024).toFixed(0)} KiB over the loop)`,
);
client.disconnect();
io.close();

// Cost of one packet check on a real connected, authenticated socket (no network in
// the loop): the synchronous in-memory path against the same guard answering through
// a rate-limiter-flexible limiter (a Promise per packet), and RateLimiterMemory.consume
// alone for reference. Limits are high, so every check counts and passes.
// Build first: corepack pnpm --filter @portcullis/rate-limit build
// From packages/rate-limit:  node bench/check-cost.mjs [calls=1000000]
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { getContext, handshakeGuard, setPacketBytes } from '@portcullis/core';
import { messageRateLimitGuard } from '@portcullis/rate-limit';

const CALLS = Number(process.argv[2] ?? 1_000_000);
const HIGH = 1_000_000_000;
const high = (durationMs) => ({ points: HIGH, durationMs });

const http = createServer();
const io = new Server(http);
io.use(
  handshakeGuard('bench-auth', (socket) => {
    getContext(socket).user = { id: 'bench-user', roles: [], claims: {} };
  }),
);
const connected = new Promise((resolve) => io.on('connection', resolve));
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
const client = connect(`http://127.0.0.1:${http.address().port}`, { transports: ['websocket'] });
const socket = await connected;
const packet = ['chat:send', { text: 'hello' }];
// As @portcullis/size-limit leaves it: the size measured on the frame, for costPerKiB.
const measuredPacket = ['chat:send', { text: 'x'.repeat(2000) }];
setPacketBytes(measuredPacket, 2020);

const syncGuard = messageRateLimitGuard({
  perSocket: [high(1000), high(60_000)],
  perUser: [high(1000), high(60_000)],
});
const promiseGuard = messageRateLimitGuard({
  perSocket: [high(1000), high(60_000)],
  perUser: [
    new RateLimiterMemory({ points: HIGH, duration: 1 }),
    new RateLimiterMemory({ points: HIGH, duration: 60 }),
  ],
});
const sizedGuard = messageRateLimitGuard({
  perSocket: [high(1000), high(60_000)],
  perUser: [high(1000), high(60_000)],
  costPerKiB: 1,
});
const limiter = new RateLimiterMemory({ points: HIGH, duration: 60 });

async function time(label, calls, body) {
  await body(Math.min(100_000, calls)); // warm-up
  const heapBefore = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  await body(calls);
  const elapsed = Number(process.hrtime.bigint() - started);
  const heapAfter = process.memoryUsage().heapUsed;
  console.log(
    `  ${label.padEnd(52)} ${(elapsed / calls).toFixed(0).padStart(6)} ns/op` +
      `   (heap ${((heapAfter - heapBefore) / 1024).toFixed(0)} KiB over ${calls} calls)`,
  );
  return elapsed / calls;
}

console.log(`per-packet check, ${CALLS} calls each:`);
const sync = await time('guard, in-memory windows (synchronous)', CALLS, async (calls) => {
  for (let index = 0; index < calls; index++) {
    if (syncGuard.check(socket, packet) !== undefined) throw new Error('refused');
  }
});
await time('guard, in-memory, costPerKiB: 1 (2 KiB packet)', CALLS, async (calls) => {
  for (let index = 0; index < calls; index++) {
    if (sizedGuard.check(socket, measuredPacket) !== undefined) throw new Error('refused');
  }
});
const promise = await time('guard, RateLimiterMemory per user (Promise)', CALLS, async (calls) => {
  for (let index = 0; index < calls; index++) {
    if ((await promiseGuard.check(socket, packet)) !== undefined) throw new Error('refused');
  }
});
await time('RateLimiterMemory.consume alone, awaited', CALLS, async (calls) => {
  for (let index = 0; index < calls; index++) await limiter.consume('bench-user');
});
console.log(`  the Promise path costs ${(promise / sync).toFixed(1)}x the synchronous path`);
client.disconnect();
io.close();
process.exit(0);

// Message throughput of one client (20,000 acked messages, 100 in flight) against bare
// Socket.io and against the same server with the message rate limit (limits set high
// enough that nothing is refused: every packet is counted, none dropped).
// Build first: corepack pnpm --filter @portcullis/rate-limit build
// From packages/rate-limit:  node bench/throughput.mjs [rounds=3] [messages=20000]
// With REDIS_URL set, a per-user limit in Redis is measured too.
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { getContext, handshakeGuard, usePacketGuards } from '@portcullis/core';
import { messageRateLimitGuard } from '@portcullis/rate-limit';

const ROUNDS = Number(process.argv[2] ?? 3);
const MESSAGES = Number(process.argv[3] ?? 20_000);
const IN_FLIGHT = 100;
const HIGH = 1_000_000_000;
const high = (durationMs) => ({ points: HIGH, durationMs });
const shape = {
  perSocket: [high(1000), high(60_000)],
  perUser: [high(1000), high(60_000)],
  costs: { 'file:upload': 10 },
};

const redisUrl = process.env.REDIS_URL;
const redis = redisUrl === undefined ? undefined : new (await import('ioredis')).Redis(redisUrl);

const configs = {
  bare: () => [],
  'guard, memory (sync)': () => [messageRateLimitGuard(shape)],
  'guard, RLF memory limiter (Promise)': () => [
    messageRateLimitGuard({
      ...shape,
      perUser: new RateLimiterMemory({ points: HIGH, duration: 60 }),
    }),
  ],
  ...(redis === undefined
    ? {}
    : {
        'guard, per-user in Redis': () => [
          messageRateLimitGuard({
            ...shape,
            redis,
            keyPrefix: `bench:${process.pid}`,
            perUser: [{ points: HIGH, durationMs: 60_000 }],
          }),
        ],
      }),
};

async function measure(guards) {
  const http = createServer();
  const io = new Server(http);
  io.use(
    handshakeGuard('bench-auth', (socket) => {
      getContext(socket).user = { id: 'bench-user', roles: [], claims: {} };
    }),
  );
  if (guards.length > 0) usePacketGuards(io, ...guards);
  io.on('connection', (socket) => socket.on('chat:send', (_message, ack) => ack(true)));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const client = connect(`http://127.0.0.1:${http.address().port}`, {
    transports: ['websocket'],
    forceNew: true,
  });
  await new Promise((resolve) => client.once('connect', resolve));
  const started = performance.now();
  await new Promise((resolve, reject) => {
    let sent = 0;
    let acked = 0;
    const send = () => {
      sent++;
      client.emit('chat:send', { text: 'hello', n: sent }, (reply) => {
        if (reply !== true) reject(new Error(`refused: ${JSON.stringify(reply)}`));
        acked++;
        if (acked === MESSAGES) resolve();
        else if (sent < MESSAGES) send();
      });
    };
    for (let index = 0; index < IN_FLIGHT; index++) send();
  });
  const seconds = (performance.now() - started) / 1000;
  client.disconnect();
  await new Promise((resolve) => io.close(resolve));
  return MESSAGES / seconds;
}

const results = Object.fromEntries(Object.keys(configs).map((name) => [name, []]));
await measure([]); // warm-up
for (let round = 1; round <= ROUNDS; round++) {
  for (const [name, build] of Object.entries(configs)) results[name].push(await measure(build()));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const bare = median(results.bare);
console.log(`${MESSAGES} acked messages, ${IN_FLIGHT} in flight, ${ROUNDS} rounds (median):`);
for (const [name, values] of Object.entries(results)) {
  const rate = median(values);
  console.log(
    `  ${name.padEnd(38)} ${rate.toFixed(0).padStart(7)} msgs/s  ratio ${(rate / bare).toFixed(3)}` +
      `   rounds: ${values.map((value) => value.toFixed(0)).join(', ')}`,
  );
}
redis?.disconnect();
process.exit(0);

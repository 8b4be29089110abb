// Per-packet cost of the validation guard against bare Socket.io, in one process:
// a real server on 127.0.0.1 and one real client sending N packets (no ack), rounds
// interleaved per configuration, median reported; then the check alone in a loop.
// Run from the repository root after a build:
//   corepack pnpm --filter @portcullis/core --filter @portcullis/validate build
//   node --expose-gc packages/validate/bench/per-packet.mjs
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { usePacketGuards } from '@portcullis/core';
import Joi from 'joi';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { validateGuard } from '../dist/index.js';

const PACKETS = Number(process.env.PACKETS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

const schemas = {
  'chat:send': Joi.object({
    roomId: Joi.string().pattern(/^[\w-]{1,64}$/),
    message: Joi.string().min(1).max(1000),
  }),
};
const PLAIN = {
  roomId: 'lobby',
  message: 'Hello there, how are you today? Meet at 5pm by the door.',
};
const MARKUP = {
  roomId: 'lobby',
  message: 'Hello <b>there</b>, see <a href="https://example.com/x">this</a> &amp; <i>that</i>.',
};

async function startServer(guard) {
  const http = createServer();
  const io = new Server(http);
  if (guard) usePacketGuards(io, guard);
  let count = 0;
  let target = 0;
  let done = () => {};
  io.on('connection', (socket) => {
    socket.on('chat:send', () => {
      count++;
      if (count === target) done();
    });
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${http.address().port}`;
  const client = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise((resolve) => client.once('connect', resolve));
  return {
    async run(payload) {
      count = 0;
      target = PACKETS;
      const finished = new Promise((resolve) => (done = resolve));
      const start = performance.now();
      for (let i = 0; i < PACKETS; i++) client.emit('chat:send', payload);
      await finished;
      return PACKETS / ((performance.now() - start) / 1000);
    },
    async close() {
      client.disconnect();
      await new Promise((resolve) => io.close(() => resolve()));
    },
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const configs = [
  ['bare Socket.io, plain text', null, PLAIN],
  ['validate, plain text', validateGuard(schemas), PLAIN],
  ['bare Socket.io, text with markup', null, MARKUP],
  ['validate, text with markup', validateGuard(schemas), MARKUP],
];
const servers = [];
for (const [, guard] of configs) servers.push(await startServer(guard));
const results = configs.map(() => []);
for (let round = 0; round <= ROUNDS; round++) {
  // Each round starts at another configuration, so none always runs after the same one
  // (and pays for its garbage); with --expose-gc, every run starts from a clean heap.
  for (let step = 0; step < configs.length; step++) {
    const index = (round + step) % configs.length;
    globalThis.gc?.();
    const rate = await servers[index].run(configs[index][2]);
    if (round > 0) results[index].push(rate); // round 0 warms up
  }
}
for (const server of servers) await server.close();

console.log(
  `end to end: ${PACKETS} packets x ${ROUNDS} rounds, median msgs/s (ratio to bare, same payload)`,
);
for (let index = 0; index < configs.length; index++) {
  const bare = median(results[index - (index % 2)]);
  const rate = median(results[index]);
  console.log(
    `  ${configs[index][0].padEnd(34)} ${Math.round(rate).toString().padStart(8)} msgs/s  ${(rate / bare).toFixed(2)}`,
  );
}

// The check alone: fresh packets as the parser would hand them, minus the cost of making them.
const guard = validateGuard(schemas);
const LOOP = 200_000;
function loop(check) {
  const start = performance.now();
  for (let i = 0; i < LOOP; i++)
    check(['chat:send', { roomId: 'lobby', message: `Hello ${i & 7}` }]);
  return ((performance.now() - start) * 1000) / LOOP;
}
const micro = { base: [], check: [] };
for (let round = 0; round <= ROUNDS; round++) {
  const base = loop(() => undefined);
  const check = loop((packet) => guard.check(undefined, packet));
  if (round > 0) {
    micro.base.push(base);
    micro.check.push(check);
  }
}
console.log(
  `check alone: ${(median(micro.check) - median(micro.base)).toFixed(2)} µs per packet (median of ${ROUNDS})`,
);

// Per-packet cost of the sanitization guard against bare Socket.io, in one process:
// a real server on 127.0.0.1 and one real client sending N packets (no ack), rounds
// interleaved per configuration, median reported; then the check alone in a loop,
// including what the skip of markup-free strings saves.
// Run from the repository root after a build:
//   corepack pnpm --filter @portcullis/core --filter @portcullis/sanitize build
//   node --expose-gc packages/sanitize/bench/per-packet.mjs
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { usePacketGuards } from '@portcullis/core';
import sanitizeHtml from 'sanitize-html';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { sanitizeGuard } from '../dist/index.js';

const PACKETS = Number(process.env.PACKETS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

const PLAIN_TEXT = 'Hello there, how are you today? Meet at 5pm by the door.';
const MARKUP_TEXT =
  'Hello <b>there</b>, see <a href="https://example.com/x">this</a> &amp; <i>that</i>.';
const payload = (message) => ({ roomId: 'lobby', message });

const fieldsGuard = () => sanitizeGuard({ preset: 'basic', fields: { 'chat:send': ['message'] } });
const everyStringGuard = () => sanitizeGuard({ preset: 'basic' });

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
    async run(message) {
      count = 0;
      target = PACKETS;
      const finished = new Promise((resolve) => (done = resolve));
      const start = performance.now();
      for (let i = 0; i < PACKETS; i++) client.emit('chat:send', payload(message));
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

// [label, guard, message, index of the bare configuration with the same payload]
const configs = [
  ['bare Socket.io, plain text', null, PLAIN_TEXT, 0],
  ['sanitize field, plain text', fieldsGuard(), PLAIN_TEXT, 0],
  ['sanitize every string, plain text', everyStringGuard(), PLAIN_TEXT, 0],
  ['bare Socket.io, text with markup', null, MARKUP_TEXT, 3],
  ['sanitize field, text with markup', fieldsGuard(), MARKUP_TEXT, 3],
  ['sanitize every string, markup', everyStringGuard(), MARKUP_TEXT, 3],
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
for (const [index, config] of configs.entries()) {
  const rate = median(results[index]);
  const bare = median(results[config[3]]);
  console.log(
    `  ${config[0].padEnd(36)} ${Math.round(rate).toString().padStart(8)} msgs/s  ${(rate / bare).toFixed(2)}`,
  );
}

// The check alone, on fresh packets, minus the cost of making them.
const LOOP = 100_000;
function loop(check, message) {
  const start = performance.now();
  for (let i = 0; i < LOOP; i++) check(['chat:send', payload(message)]);
  return ((performance.now() - start) * 1000) / LOOP;
}
const guard = fieldsGuard();
// What the skip saves: the same plain string forced through sanitize-html with basic-like options.
const forced = {
  allowedTags: ['b', 'i', 'em', 'strong', 'a'],
  allowedAttributes: { a: ['href', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  disallowedTagsMode: 'escape',
};
const micro = { base: [], plain: [], markup: [], forcedPlain: [] };
for (let round = 0; round <= ROUNDS; round++) {
  const base = loop(() => undefined, PLAIN_TEXT);
  const plain = loop((packet) => guard.check(undefined, packet), PLAIN_TEXT);
  const markup = loop((packet) => guard.check(undefined, packet), MARKUP_TEXT);
  const forcedPlain = loop((packet) => sanitizeHtml(packet[1].message, forced), PLAIN_TEXT);
  if (round > 0) {
    micro.base.push(base);
    micro.plain.push(plain);
    micro.markup.push(markup);
    micro.forcedPlain.push(forcedPlain);
  }
}
const net = (name) => (median(micro[name]) - median(micro.base)).toFixed(2);
console.log(`check alone (median of ${ROUNDS}), µs per packet:`);
console.log(`  plain text ${net('plain')}, text with markup ${net('markup')}`);
console.log(`  plain text if it were not skipped (sanitize-html call): ${net('forcedPlain')}`);

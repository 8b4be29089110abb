// Handshake cost of connection-limit next to bare Socket.io, on the same machine.
//
//   corepack pnpm --filter @portcullis/connection-limit build
//   node packages/connection-limit/bench/handshake-cost.mjs [rounds] [durationMs]
//
// The server runs in this process with a test authentication middleware (user id from
// `auth.user`); a load generator child process connects socket.io-client sockets over
// WebSocket as one of 100 users and closes each once connected, keeping a window of
// handshakes in flight.
// Rounds alternate bare / guarded. Prints handshakes/s, the guarded / bare ratio and
// the server's CPU time per handshake (steadier than rates on a shared machine).
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { getContext } from '@portcullis/core';
import { connectionLimitGuard } from '../dist/index.js';

const rounds = Number(process.argv[2] ?? 4);
const durationMs = Number(process.argv[3] ?? 3000);

if (process.argv[2] === '--loadgen') {
  const { port, durationMs: ms } = JSON.parse(process.argv[3]);
  const window = 16;
  let count = 0;
  let refused = 0;
  let measuring = false;
  let running = true;
  let next = 0;
  const once = () =>
    new Promise((resolve) => {
      const socket = connect(`http://127.0.0.1:${port}`, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        auth: { user: `user-${next++ % 100}` },
      });
      socket.on('connect', () => {
        if (measuring) count++;
        socket.disconnect();
        resolve();
      });
      socket.on('connect_error', () => {
        if (measuring) refused++;
        socket.disconnect();
        resolve();
      });
    });
  const loop = async () => {
    while (running) await once();
  };
  const loops = Array.from({ length: window }, loop);
  await new Promise((resolve) => setTimeout(resolve, 500));
  process.send({ phase: 'start' });
  measuring = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  measuring = false;
  const elapsed = performance.now() - started;
  running = false;
  await Promise.all(loops);
  process.send({ phase: 'end', count, refused, perSecond: (count * 1000) / elapsed });
  process.exit(0);
}

async function measure(guarded) {
  const http = createServer();
  const io = new Server(http);
  io.use((socket, next) => {
    const user = socket.handshake.auth?.user;
    if (typeof user === 'string') getContext(socket).user = { id: user, roles: [], claims: {} };
    next();
  });
  if (guarded) connectionLimitGuard().install(io);
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address();
  const child = fork(process.argv[1], ['--loadgen', JSON.stringify({ port, durationMs })]);
  let cpuStart;
  const result = await new Promise((resolve) =>
    child.on('message', (message) => {
      if (message.phase === 'start') cpuStart = process.cpuUsage();
      else resolve(message);
    }),
  );
  const cpu = process.cpuUsage(cpuStart);
  await new Promise((resolve) => io.close(resolve));
  if (result.refused > 0) console.log(`  (${result.refused} refused)`);
  return { perSecond: result.perSecond, cpuUsPerHandshake: (cpu.user + cpu.system) / result.count };
}

const bare = [];
const guarded = [];
for (let round = 0; round < rounds; round++) {
  bare.push(await measure(false));
  guarded.push(await measure(true));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (values, digits = 0) => values.map((v) => v.toFixed(digits)).join(', ');
for (const [name, runs] of [
  ['bare   ', bare],
  ['guarded', guarded],
]) {
  const rates = runs.map((run) => run.perSecond);
  const cpus = runs.map((run) => run.cpuUsPerHandshake);
  console.log(
    `${name} handshakes/s: ${fmt(rates)} (median ${median(rates).toFixed(0)});` +
      ` server CPU µs/handshake: ${fmt(cpus)} (median ${median(cpus).toFixed(0)})`,
  );
}
const ratio = median(guarded.map((r) => r.perSecond)) / median(bare.map((r) => r.perSecond));
const cost =
  median(guarded.map((r) => r.cpuUsPerHandshake)) - median(bare.map((r) => r.cpuUsPerHandshake));
console.log(
  `guarded / bare handshakes/s (medians): ${ratio.toFixed(3)}; guard cost: ${cost.toFixed(1)} µs/handshake`,
);

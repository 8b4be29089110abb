// Per-packet cost of size-limit next to bare Socket.io, on the same machine, same run.
//
//   corepack pnpm --filter @portcullis/size-limit build
//   node packages/size-limit/bench/packet-cost.mjs [rounds] [durationMs]
//
// The server runs in this process; a load generator child process speaks the raw
// Engine.IO / Socket.io text protocol over `ws` (cheaper per message than
// socket.io-client, so the server is what saturates) and keeps a window of emits with
// acks in flight on several sockets. Rounds alternate bare / guarded so drift on a
// shared machine hits both alike. Prints msgs/s per round, the guarded / bare ratio,
// and the server's CPU time per message (steadier than msgs/s when other processes
// compete for the cores): the difference is what the guard costs per packet.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import WebSocket from 'ws';
import { usePacketGuards } from '@portcullis/core';
import { sizeLimitGuard } from '../dist/index.js';

const rounds = Number(process.argv[2] ?? 4);
const durationMs = Number(process.argv[3] ?? 3000);

const PAYLOADS = {
  chat: ['chat', { room: 'general', text: 'hello there, how is everyone doing today?', n: 1 }],
  '4KB': ['chat', { room: 'general', text: 'é'.repeat(2000), tags: ['a', 'b', 'c'] }],
};

if (process.argv[2] === '--loadgen') {
  const { port, durationMs: ms, payload } = JSON.parse(process.argv[3]);
  const args = JSON.stringify(PAYLOADS[payload]).slice(1, -1);
  const sockets = 4;
  const window = 32;
  let count = 0;
  let measuring = false;
  const open = (id) =>
    new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, {
        perMessageDeflate: false,
      });
      let ack = 0;
      const send = () => ws.send(`42${ack++}[${args}]`);
      ws.on('message', (raw) => {
        const text = raw.toString();
        if (text.startsWith('0')) ws.send('40');
        else if (text.startsWith('40')) {
          for (let i = 0; i < window; i++) send();
          resolve(id);
        } else if (text === '2') ws.send('3');
        else if (text.startsWith('43')) {
          if (measuring) count++;
          send();
        }
      });
    });
  await Promise.all(Array.from({ length: sockets }, (_, id) => open(id)));
  await new Promise((resolve) => setTimeout(resolve, 500));
  process.send({ phase: 'start' });
  measuring = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  measuring = false;
  process.send({ phase: 'end', count, perSecond: (count * 1000) / (performance.now() - started) });
  process.exit(0);
}

async function measure(guarded, payload) {
  const http = createServer();
  const io = new Server(http, { maxHttpBufferSize: 131_072 });
  if (guarded) usePacketGuards(io, sizeLimitGuard({ limitsEvent: false }));
  io.on('connection', (socket) => socket.on('chat', (_message, ack) => ack({ ok: true })));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address();
  const child = fork(process.argv[1], ['--loadgen', JSON.stringify({ port, durationMs, payload })]);
  let cpuStart;
  const result = await new Promise((resolve) =>
    child.on('message', (message) => {
      if (message.phase === 'start') cpuStart = process.cpuUsage();
      else resolve(message);
    }),
  );
  const cpu = process.cpuUsage(cpuStart);
  await new Promise((resolve) => io.close(resolve));
  return { perSecond: result.perSecond, cpuUsPerMessage: (cpu.user + cpu.system) / result.count };
}

for (const payload of Object.keys(PAYLOADS)) {
  const bare = [];
  const guarded = [];
  for (let round = 0; round < rounds; round++) {
    bare.push(await measure(false, payload));
    guarded.push(await measure(true, payload));
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const rates = (runs) => runs.map((run) => run.perSecond);
  const cpus = (runs) => runs.map((run) => run.cpuUsPerMessage);
  const fmt = (values, digits = 0) => values.map((v) => v.toFixed(digits)).join(', ');
  console.log(`payload ${payload} (${JSON.stringify(PAYLOADS[payload]).length + 3} bytes)`);
  for (const [name, runs] of [
    ['bare   ', bare],
    ['guarded', guarded],
  ]) {
    console.log(
      `  ${name} msgs/s: ${fmt(rates(runs))} (median ${median(rates(runs)).toFixed(0)});` +
        ` server CPU µs/msg: ${fmt(cpus(runs), 2)} (median ${median(cpus(runs)).toFixed(2)})`,
    );
  }
  console.log(
    `  guarded / bare msgs/s (medians): ${(median(rates(guarded)) / median(rates(bare))).toFixed(3)};` +
      ` guard cost: ${(median(cpus(guarded)) - median(cpus(bare))).toFixed(2)} µs/msg`,
  );
}

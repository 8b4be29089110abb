// Active handles with N sockets connected, without and with the guard, and after they
// leave. Needs a build: corepack pnpm --filter @portcullis/session-expiry build
// Run from the repository root:
//   node packages/session-expiry/bench/active-handles.mjs [sockets=1000]
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { getContext, handshakeGuard, usePacketGuards } from '@portcullis/core';
import { sessionExpiryGuard } from '../dist/index.js';

const SOCKETS = Number(process.argv[2] ?? 1000);
const BATCH = 100;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function resources() {
  const counts = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

// Every socket's session expires in an hour.
const oneHourSession = handshakeGuard('bench-user', (socket) => {
  getContext(socket).user = {
    id: socket.id,
    roles: [],
    expiresAt: Date.now() + 3_600_000,
    claims: {},
  };
});

async function run(label, install) {
  const http = createServer();
  const io = new Server(http);
  io.use(oneHourSession);
  install(io);
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${http.address().port}`;
  const clients = [];
  const started = performance.now();
  for (let start = 0; start < SOCKETS; start += BATCH) {
    const batch = [];
    for (let index = start; index < Math.min(SOCKETS, start + BATCH); index++) {
      const client = connect(url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      clients.push(client);
      batch.push(new Promise((resolve) => client.once('connect', resolve)));
    }
    await Promise.all(batch);
  }
  const connectMs = performance.now() - started;
  const connected = resources();
  for (const client of clients) client.disconnect();
  while (io.of('/').sockets.size > 0) await sleep(25);
  await new Promise((resolve) => io.close(resolve));
  console.log(
    `${label.padEnd(14)} ${SOCKETS} sockets connected in ${connectMs.toFixed(0)} ms: ` +
      `Timeout ${connected.Timeout ?? 0}, TCPSocketWrap ${connected.TCPSocketWrap ?? 0}`,
  );
  return connected;
}

const baseline = resources();
console.log(`baseline       Timeout ${baseline.Timeout ?? 0}, all ${JSON.stringify(baseline)}`);
const bare = await run('without guard', () => undefined);
let guard;
const guarded = await run('with guard', (io) => {
  guard = sessionExpiryGuard({ revalidate: () => true, onRevalidateError: 'allow' });
  usePacketGuards(io, guard);
});
await sleep(200);
const after = resources();
console.log(`guard's own timers while connected: ${(guarded.Timeout ?? 0) - (bare.Timeout ?? 0)}`);
console.log(`after they left: ${JSON.stringify(after)}; guard watches ${guard.watchedSockets}`);

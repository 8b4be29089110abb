// Revocation latency across two Socket.io nodes sharing Redis (@socket.io/redis-adapter).
// For each revocation: one client of a fresh user on node A and one on node B; the clock
// starts when revokeUser() is called on node A (or on a Redis emitter in another
// "process") and stops when each client has received portcullis:disconnect and closed.
//
// Needs a build and a Redis:
//   corepack pnpm --filter @portcullis/core build && corepack pnpm --filter @portcullis/logout-revoke build
//   REDIS_URL=redis://127.0.0.1:6379 node packages/logout-revoke/bench/revocation-latency.mjs [revocations=200]
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { createAdapter } from '@socket.io/redis-adapter';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { getContext, handshakeGuard } from '@portcullis/core';
import {
  createDenylist,
  createRevoker,
  logoutRevokeGuard,
  redisDenylistStore,
} from '../dist/index.js';

const REVOCATIONS = Number(process.argv[2] ?? 200);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const id = randomUUID().slice(0, 8);
const adapterKey = `portcullis-bench-${id}`;
const prefix = `portcullis-bench-${id}:revoked:`;
const clients = [];
const redisClients = [];

function redis() {
  const client = new Redis(REDIS_URL);
  redisClients.push(client);
  return client;
}

/** A connected client: the denylist store fails at once while its client is not ready. */
async function readyRedis() {
  const client = redis();
  if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
  return client;
}

// The user comes from the handshake as is: the bench measures revocation, not JWTs.
const trustHandshake = handshakeGuard('bench-auth', (socket) => {
  const { user } = socket.handshake.auth;
  getContext(socket).user = {
    id: user,
    roles: [],
    sessionId: `${user}-session`,
    issuedAt: Date.now(),
    claims: {},
  };
});

async function startNode() {
  const pub = redis();
  const sub = redis();
  const denylist = createDenylist({ store: redisDenylistStore(await readyRedis(), { prefix }) });
  const logout = logoutRevokeGuard({ denylist });
  const http = createServer();
  const io = new Server(http);
  io.adapter(createAdapter(pub, sub, { key: adapterKey }));
  io.use(trustHandshake);
  logout.install(io);
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { io, logout, url: `http://127.0.0.1:${http.address().port}` };
}

function connectAs(url, user) {
  const client = connect(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: { user },
  });
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('connect_error', reject);
  });
}

function cutAt(client) {
  return new Promise((resolve) => {
    let told = false;
    client.once('portcullis:disconnect', () => (told = true));
    client.once('disconnect', () => resolve(told ? performance.now() : Number.NaN));
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(label, values) {
  const sorted = values.filter(Number.isFinite).sort((x, y) => x - y);
  const missing = values.length - sorted.length;
  const fmt = (value) => value.toFixed(2).padStart(7);
  console.log(
    `${label.padEnd(34)} n=${sorted.length}${missing ? ` (NOT TOLD: ${missing})` : ''} ` +
      `p50 ${fmt(percentile(sorted, 50))} ms  p99 ${fmt(percentile(sorted, 99))} ms  ` +
      `max ${fmt(sorted[sorted.length - 1])} ms`,
  );
}

const a = await startNode();
const b = await startNode();
const emitterRevoker = createRevoker({
  target: new Emitter(redis(), { key: adapterKey }),
  denylist: createDenylist({ store: redisDenylistStore(await readyRedis(), { prefix }) }),
});

const modes = [
  ['revokeUser on node A', (user) => a.logout.revokeUser(user)],
  ['revokeUser via redis-emitter', (user) => emitterRevoker.revokeUser(user)],
];
for (const [label, revoke] of modes) {
  const local = [];
  const remote = [];
  const both = [];
  for (let index = 0; index < REVOCATIONS; index++) {
    const user = `${label.length}-user-${index}`;
    const onA = await connectAs(a.url, user);
    const onB = await connectAs(b.url, user);
    const cuts = Promise.all([cutAt(onA), cutAt(onB)]);
    const start = performance.now();
    await revoke(user);
    const [cutA, cutB] = await cuts;
    local.push(cutA - start);
    remote.push(cutB - start);
    both.push(Math.max(cutA, cutB) - start);
  }
  console.log(`${label} (${REVOCATIONS} revocations):`);
  summary('  socket on node A cut after', local);
  summary('  socket on node B cut after', remote);
  summary('  both sockets cut after', both);
}

for (const client of clients) client.disconnect();
await Promise.all([a.io, b.io].map((io) => new Promise((resolve) => io.close(resolve))));
for (const client of redisClients) client.disconnect();

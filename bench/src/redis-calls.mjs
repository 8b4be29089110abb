// `node bench/src/redis-calls.mjs`: Redis calls per 1,000 accepted packets at the
// default per-user limit (60 per second and 1,200 per minute), with leased quotas and
// with `lease: false` (every packet counted in Redis), counted from Redis's own
// `INFO commandstats`. One user, two sockets, 25 packets per second each for 20 s:
// 1,000 packets, all within the limits. Run it alone: other clients of the same Redis
// would be counted too.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { configurePortcullis, usePacketGuards } from '@portcullis/core';
import { authGuard } from '@portcullis/auth';
import { messageRateLimitGuard } from '@portcullis/rate-limit';
import { SECRET } from './fixtures.mjs';
import { LeanClient } from './lean-client.mjs';
import { REDIS_URL, deleteKeys } from './redis.mjs';
import { signTokens } from './tokens.mjs';

const SOCKETS = 2;
const PER_SECOND_EACH = 25;
const SECONDS = 20;

/** Round trips (script calls and plain commands) and every command Redis ran (inside scripts too). */
async function commandCalls(client) {
  const stats = await client.info('commandstats');
  let roundTrips = 0;
  let commands = 0;
  for (const match of stats.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) {
    const [, name, calls] = match;
    if (name === 'info') continue;
    commands += Number(calls);
    if (name === 'evalsha' || name === 'eval') roundTrips += Number(calls);
  }
  return { roundTrips, commands };
}

async function run(lease) {
  const keyPrefix = `portcullis:bench:calls:${randomUUID()}`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const inspect = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const http = createServer();
  const io = new Server(http);
  configurePortcullis(io, {});
  io.use(authGuard({ secret: SECRET, algorithms: ['HS256'] }));
  usePacketGuards(io, messageRateLimitGuard({ redis, keyPrefix, ...(lease ? {} : { lease }) }));
  io.on('connection', (socket) => socket.on('chat:send', (_message, ack) => ack?.({ ok: true })));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address();
  const [token] = await signTokens(1, { prefix: 'calls' });
  const clients = await Promise.all(
    Array.from({ length: SOCKETS }, () => LeanClient.connect(port, { auth: { token } })),
  );
  const before = await commandCalls(inspect);
  let accepted = 0;
  let refused = 0;
  const total = SOCKETS * PER_SECOND_EACH * SECONDS;
  await new Promise((resolve) => {
    let sent = 0;
    let answered = 0;
    const timer = setInterval(() => {
      for (const client of clients) {
        if (sent === total) break;
        sent++;
        client.emitRaw('"chat:send","hello"', (reply) => {
          if (reply?.includes('"ok":true')) accepted++;
          else refused++;
          if (++answered === total) resolve();
        });
      }
      if (sent === total) clearInterval(timer);
    }, 1000 / PER_SECOND_EACH);
  });
  const after = await commandCalls(inspect);
  const calls = after.roundTrips - before.roundTrips;
  const commands = after.commands - before.commands;
  for (const client of clients) client.close();
  io.close();
  redis.disconnect();
  inspect.disconnect();
  await deleteKeys(keyPrefix);
  return { lease: lease ? 'automatic' : 'false', accepted, refused, calls, commands };
}

const perThousand = (count, accepted) =>
  accepted === 0 ? 0 : Math.round((count / accepted) * 1000);
for (const lease of [true, false]) {
  const { accepted, refused, calls, commands, lease: label } = await run(lease);
  console.log(
    `lease ${label}: ${accepted} accepted, ${refused} refused; per 1,000 accepted packets: ` +
      `${perThousand(calls, accepted)} script calls (round trips), ` +
      `${perThousand(commands, accepted)} Redis commands (inside scripts included)`,
  );
}
process.exit(0);

// Handshake rate: 2,000 websocket connections (50 at a time) against bare Socket.io and
// against the same server with the connection rate limit (limits high enough that
// nothing is refused). Build first: corepack pnpm --filter @portcullis/rate-limit build
// From packages/rate-limit:  node bench/handshake.mjs [rounds=3] [connections=2000]
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { connectionRateLimitGuard } from '@portcullis/rate-limit';

const ROUNDS = Number(process.argv[2] ?? 3);
const CONNECTIONS = Number(process.argv[3] ?? 2000);
const BATCH = 50;
const high = { points: 1_000_000_000, durationMs: 60_000 };

async function measure(guarded) {
  const http = createServer();
  const io = new Server(http);
  if (guarded) io.use(connectionRateLimitGuard({ perIp: high, perUser: high }));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${http.address().port}`;
  const started = performance.now();
  for (let done = 0; done < CONNECTIONS; done += BATCH) {
    const clients = await Promise.all(
      Array.from(
        { length: BATCH },
        () =>
          new Promise((resolve, reject) => {
            const client = connect(url, { transports: ['websocket'], forceNew: true });
            client.once('connect', () => resolve(client));
            client.once('connect_error', reject);
          }),
      ),
    );
    for (const client of clients) client.disconnect();
  }
  const rate = CONNECTIONS / ((performance.now() - started) / 1000);
  await new Promise((resolve) => io.close(resolve));
  return rate;
}

const results = { bare: [], guard: [] };
await measure(false); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  results.bare.push(await measure(false));
  results.guard.push(await measure(true));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`${CONNECTIONS} handshakes, ${BATCH} at a time, ${ROUNDS} rounds (median):`);
for (const [name, values] of Object.entries(results)) {
  console.log(
    `  ${name.padEnd(6)} ${median(values).toFixed(0).padStart(6)} handshakes/s  ratio ` +
      `${(median(values) / median(results.bare)).toFixed(3)}   rounds: ` +
      values.map((value) => value.toFixed(0)).join(', '),
  );
}
process.exit(0);

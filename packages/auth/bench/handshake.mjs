// Handshake rate with authGuard (HS256, a fresh token per connection) next to bare
// Socket.io, measured in the same run. The server runs in a child process so the client's
// work does not share its event loop; the chains alternate handshake by handshake.
//
//   corepack pnpm --filter @portcullis/auth build
//   node packages/auth/bench/handshake.mjs [--rounds 3] [--connections 500]
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';

const { values } = parseArgs({
  options: {
    serve: { type: 'string' },
    secret: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '500' },
  },
});

async function serve(chain, secret) {
  const { authGuard } = await import('../dist/index.js');
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false });
  if (chain === 'auth') io.use(authGuard({ algorithms: ['HS256'], secret }));
  http.listen(0, '127.0.0.1', () => process.send({ port: http.address().port }));
}

function startServer(chain, secret) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', chain, '--secret', secret]);
  return new Promise((resolve) => child.once('message', ({ port }) => resolve({ child, port })));
}

function handshake(url, token) {
  return new Promise((resolve, reject) => {
    const socket = connect(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { token },
    });
    socket.once('connect', () => {
      socket.disconnect();
      resolve();
    });
    socket.once('connect_error', (error) => {
      socket.disconnect();
      reject(error);
    });
  });
}

function signer(secret) {
  const key = new TextEncoder().encode(secret);
  let count = 0;
  return () =>
    new SignJWT({ sub: `user-${count++}`, roles: ['user'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
}

/** Seconds one handshake took. */
async function timeOne(url, token) {
  const start = process.hrtime.bigint();
  await handshake(url, token);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const rounds = Number(values.rounds);
  const connections = Number(values.connections);
  const secret = randomBytes(32).toString('base64url');
  const sign = signer(secret);
  const servers = {};
  for (const chain of ['bare', 'auth']) servers[chain] = await startServer(chain, secret);
  const url = (chain) => `http://127.0.0.1:${servers[chain].port}`;
  for (const chain of ['bare', 'auth']) {
    for (let index = 0; index < 100; index++) await handshake(url(chain), await sign()); // warm-up
  }
  // The machine is shared: the chains alternate handshake by handshake, so a busy moment
  // hits both alike; the median handshake time is the figure least moved by such moments.
  // Tokens are signed before the clock starts: both chains get the same client work.
  const ratios = [];
  for (let round = 1; round <= rounds; round++) {
    const times = { bare: [], auth: [] };
    const tokens = await Promise.all(Array.from({ length: 2 * connections }, sign));
    for (let index = 0; index < connections; index++) {
      const order = index % 2 === 0 ? ['bare', 'auth'] : ['auth', 'bare'];
      for (const chain of order) {
        times[chain].push(await timeOne(url(chain), tokens.pop()));
      }
    }
    const rate = { bare: 1 / median(times.bare), auth: 1 / median(times.auth) };
    const total = (list) => list.reduce((sum, value) => sum + value, 0);
    const ratio = rate.auth / rate.bare;
    ratios.push(ratio);
    console.log(
      `round ${round}: median handshake bare ${(1000 / rate.bare).toFixed(2)} ms, ` +
        `authGuard ${(1000 / rate.auth).toFixed(2)} ms; rate ratio ${ratio.toFixed(3)} ` +
        `(totals: bare ${(connections / total(times.bare)).toFixed(0)}/s, ` +
        `authGuard ${(connections / total(times.auth)).toFixed(0)}/s)`,
    );
  }
  for (const chain of ['bare', 'auth']) servers[chain].child.kill();
  const sorted = [...ratios].sort((a, b) => a - b);
  console.log(
    `median rate ratio authGuard/bare: ${median(ratios).toFixed(3)} ` +
      `[${sorted[0].toFixed(3)}–${sorted[sorted.length - 1].toFixed(3)}] ` +
      `(${connections} sequential websocket handshakes per chain per round, ${rounds} rounds)`,
  );
}

if (values.serve !== undefined) await serve(values.serve, values.secret);
else await main();

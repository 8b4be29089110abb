// Cost of the origin check: the matcher per call, and the handshake rate of a real
// Socket.io server with and without the hooks (sequential websocket connections with
// socket.io-client, all in this one run so the machine's load is shared).
//
//   corepack pnpm --filter @portcullis/origin build
//   node packages/origin/bench/origin.bench.mjs [connections=500] [rounds=5]
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { createOriginMatcher, originEngineMiddleware, originGuard } from '../dist/index.js';

const CONNECTIONS = Number(process.argv[2] ?? 500);
const ORIGINS = [
  'https://example.com',
  'https://www.example.com',
  'https://*.example.com',
  /^https:\/\/pr-\d+\.preview\.example\.com$/,
];

function matcherCost() {
  const matcher = createOriginMatcher({ origins: ORIGINS });
  const cases = [
    ['exact, as browsers send it', 'https://www.example.com'],
    ['exact, needs normalising', 'HTTPS://WWW.Example.com:443/'],
    ['subdomain pattern', 'https://app.example.com'],
    ['RegExp', 'https://pr-42.preview.example.com'],
    ['refused look-alike', 'https://example.com.evil.test'],
    ['refused malformed', 'https://example.com@evil.test'],
    ['missing', undefined],
  ];
  const iterations = 1_000_000;
  const rows = [];
  for (const [name, origin] of cases) {
    let sink = 0;
    for (let i = 0; i < 100_000; i++) sink += matcher.check(origin).length; // warm-up
    const start = performance.now();
    for (let i = 0; i < iterations; i++) sink += matcher.check(origin).length;
    const ns = ((performance.now() - start) * 1e6) / iterations;
    rows.push({ case: name, verdict: matcher.check(origin), 'ns/op': ns.toFixed(0), sink });
  }
  console.table(rows.map(({ sink: _sink, ...row }) => row));
}

async function startServer(install) {
  const http = createServer();
  const io = new Server(http);
  install(io);
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { io, http, url: `http://127.0.0.1:${http.address().port}` };
}

function connectOnce(url) {
  return new Promise((resolve, reject) => {
    const socket = connect(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      extraHeaders: { origin: 'https://app.example.com' },
    });
    socket.once('connect', () => {
      socket.disconnect();
      resolve();
    });
    socket.once('connect_error', reject);
  });
}

async function handshakeRate(install) {
  const server = await startServer(install);
  for (let i = 0; i < 50; i++) await connectOnce(server.url); // warm-up
  const start = performance.now();
  for (let i = 0; i < CONNECTIONS; i++) await connectOnce(server.url);
  const ms = performance.now() - start;
  await new Promise((resolve) => server.io.close(resolve));
  server.http.closeAllConnections();
  return Math.round((CONNECTIONS * 1000) / ms);
}

console.log(`node ${process.version}, ${CONNECTIONS} sequential websocket connections per setup\n`);
console.log('Matcher, one check():');
matcherCost();
const setups = [
  ['bare Socket.io', () => {}],
  ['io.use(originGuard)', (io) => io.use(originGuard({ origins: ORIGINS }))],
  [
    'io.engine.use(originEngineMiddleware)',
    (io) => io.engine.use(originEngineMiddleware({ origins: ORIGINS })),
  ],
];
const ROUNDS = Number(process.argv[3] ?? 5);
const rates = new Map(setups.map(([name]) => [name, []]));
// Interleaved rounds, so a slow moment of the machine does not land on one setup only.
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, install] of setups) rates.get(name).push(await handshakeRate(install));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const bare = median(rates.get('bare Socket.io'));
console.log(`\nHandshake rate (connections per second; ${ROUNDS} interleaved rounds):`);
console.table(
  [...rates].map(([setup, values]) => ({
    setup,
    rounds: values.join(' / '),
    median: median(values),
    'vs bare': `${((median(values) / bare) * 100).toFixed(0)}%`,
  })),
);

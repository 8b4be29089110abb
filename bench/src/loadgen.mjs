// Load generator process: `node loadgen.mjs '<json spec>'`; prints one JSON result line.
// Runs apart from the server so the two do not share a core's time slices unevenly,
// and reports its own CPU so a saturated generator is visible.
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { LeanClient } from './lean-client.mjs';
import { ORIGIN, chatArgs, MARKUP_TEXT, PLAIN_TEXT } from './fixtures.mjs';
import { signTokens } from './tokens.mjs';
import { percentile, sortedLatencies } from './stats.mjs';

const spec = JSON.parse(process.argv[2]);
const { port } = spec;

function connect(token) {
  if (token && spec.tokenIn === 'query') {
    return LeanClient.connect(port, {
      origin: ORIGIN,
      query: `token=${encodeURIComponent(token)}`,
    });
  }
  return LeanClient.connect(port, { origin: ORIGIN, auth: token ? { token } : undefined });
}

function report(result) {
  const cpu = process.cpuUsage(startCpu);
  const wallMs = performance.now() - startWall;
  const cpuPercent = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
  console.log(JSON.stringify({ ...result, loadgenCpuPercent: Math.round(cpuPercent) }));
}

async function throughput() {
  const { clients: clientCount = 4, window = 25, durationMs = 2000, warmupMs = 300 } = spec;
  const text = spec.markup ? MARKUP_TEXT : PLAIN_TEXT;
  const args = chatArgs(text);
  const tokens = await signTokens(clientCount);
  const clients = await Promise.all(tokens.map((token) => connect(token)));
  const samples = new Float64Array(4_000_000);
  let count = 0;
  let refused = 0;
  let measuring = false;
  let running = true;
  const send = (client) => {
    const sentAt = performance.now();
    client.emitRaw(args, (reply) => {
      if (reply === null) return;
      if (measuring) {
        if (reply.includes('"error"')) refused++;
        if (count < samples.length) samples[count] = performance.now() - sentAt;
        count++;
      }
      if (running) send(client);
    });
  };
  for (const client of clients) for (let i = 0; i < window; i++) send(client);
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  measuring = true;
  console.log('MEASURING');
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  measuring = false;
  const elapsed = performance.now() - started;
  console.log('MEASURED');
  running = false;
  const sorted = sortedLatencies(samples, Math.min(count, samples.length));
  for (const client of clients) client.close();
  report({
    msgsPerSec: (count / elapsed) * 1000,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    refused,
  });
}

async function handshake() {
  const { total = 300, concurrency = 1, auth = true, repeatToken = false } = spec;
  // `repeatToken`: one token for every connection, as a client that reconnects sends.
  const signed = auth
    ? await signTokens(repeatToken ? 1 : total, { prefix: `hs${process.pid}` })
    : [];
  const tokens = repeatToken ? Array.from({ length: total }, () => signed[0]) : signed;
  // Tokens are signed; the runner reads the server's CPU time, then says go.
  console.log('READY');
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === 'go') break;
  }
  let next = 0;
  let failures = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const index = next++;
      try {
        const client = await connect(tokens[index]);
        client.close();
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  report({ handshakesPerSec: (total / elapsed) * 1000, failures, total });
}

async function idleConnections() {
  const { total = 2000 } = spec;
  const tokens = await signTokens(total, { prefix: `mem${process.pid}` });
  const clients = [];
  for (let i = 0; i < total; i += 100) {
    clients.push(...(await Promise.all(tokens.slice(i, i + 100).map((token) => connect(token)))));
  }
  console.log(`CONNECTED ${clients.length}`);
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === 'done') break;
  for (const client of clients) client.close();
  report({ connected: clients.length });
}

async function flood() {
  const { honest: honestCount = 10, ratePerSec = 10, durationMs = 3000 } = spec;
  const tokens = await signTokens(honestCount + 1, { prefix: `flood${process.pid}` });
  const args = chatArgs(PLAIN_TEXT);
  const abuser = await connect(tokens[0]);
  const honest = await Promise.all(tokens.slice(1).map((token) => connect(token)));
  const samples = new Float64Array(1_000_000);
  let count = 0;
  let honestRefused = 0;
  let abuserSent = 0;
  let abuserRefused = 0;
  let abuserErrorEvents = 0;
  let running = true;
  abuser.onEvent = (name) => {
    if (name === 'portcullis:error') abuserErrorEvents++;
  };
  // The abuser does not wait for acks (a refused packet may never be acked): it writes
  // as fast as the socket drains, in batches, keeping at most 1 MB buffered.
  const hammer = () => {
    if (!running || abuser.closed) return;
    for (let i = 0; i < 50 && abuser.ws.bufferedAmount < 1_000_000; i++) {
      abuserSent++;
      abuser.emitRaw(args, (reply) => {
        if (reply !== null && reply.includes('"error"')) abuserRefused++;
      });
    }
    setImmediate(hammer);
  };
  hammer();
  const timers = honest.map((client) =>
    setInterval(() => {
      const sentAt = performance.now();
      client.emitRaw(args, (reply) => {
        if (reply === null) return;
        if (reply.includes('"error"')) honestRefused++;
        if (count < samples.length) samples[count++] = performance.now() - sentAt;
      });
    }, 1000 / ratePerSec),
  );
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  running = false;
  for (const timer of timers) clearInterval(timer);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const sorted = sortedLatencies(samples, count);
  const abuserDisconnected = abuser.closed;
  abuser.close();
  for (const client of honest) client.close();
  report({
    honestP50Ms: percentile(sorted, 50),
    honestP99Ms: percentile(sorted, 99),
    honestAcks: count,
    honestRefused,
    abuserSent,
    abuserRefused: abuserRefused + abuserErrorEvents,
    abuserDisconnected,
  });
}

/**
 * One client sends `total` packets with acks as fast as the socket drains, like the
 * abuser of the flood. The runner reads the server's CPU time around it: on `go` the
 * packets leave; `SENT` says they are all written and answered (or that answers stopped
 * coming); the client stays connected until `done`, so the server reads every packet.
 */
async function burst() {
  const { total = 30000 } = spec;
  const [token] = await signTokens(1, { prefix: `burst${process.pid}` });
  const client = await connect(token);
  const args = chatArgs(PLAIN_TEXT);
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const waitFor = async (word) => {
    for (let line = await lines.next(); !line.done; line = await lines.next()) {
      if (line.value.trim() === word) return;
    }
  };
  console.log('CONNECTED 1');
  await waitFor('go');
  let sent = 0;
  let answered = 0;
  let refused = 0;
  const onReply = (reply) => {
    if (reply === null) return;
    answered++;
    if (reply.includes('"error"')) refused++;
  };
  await new Promise((resolve) => {
    const pump = () => {
      while (sent < total && client.ws.bufferedAmount < 1_000_000) {
        sent++;
        client.emitRaw(args, onReply);
      }
      if (sent < total) setImmediate(pump);
      else resolve();
    };
    pump();
  });
  for (let before = -1; answered < total && answered !== before;) {
    before = answered;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  console.log('SENT');
  await waitFor('done');
  const disconnected = client.closed;
  client.close();
  report({ sent, answered, refused, disconnected });
}

const startCpu = process.cpuUsage();
const startWall = performance.now();
const scenarios = { throughput, handshake, idleConnections, flood, burst };
await scenarios[spec.scenario]();
process.exit(0);

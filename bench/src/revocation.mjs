// Revocation latency across two nodes: two server processes run the `preset-redis` chain
// on one Redis (adapter, denylist, limits). For each revocation, a fresh user holds one
// socket on node A and one on node B; node A is asked to `revokeUser()`. The clock starts
// in node A's process just before the call and stops when each socket has been told
// (`portcullis:disconnect`) and cut (the DISCONNECT packet, or the close if it comes
// first). Both ends read `performance.timeOrigin + performance.now()`, one timeline for
// every process of the machine.
import { performance } from 'node:perf_hooks';
import { LeanClient } from './lean-client.mjs';
import { ORIGIN } from './fixtures.mjs';
import { startServer } from './processes.mjs';
import { signTokens } from './tokens.mjs';

const clock = () => performance.timeOrigin + performance.now();

/** Resolves with the time the socket was cut, or NaN if it was cut without being told. */
function cutAt(client) {
  return new Promise((resolve) => {
    let told = false;
    client.onEvent = (name) => {
      if (name === 'portcullis:disconnect') told = true;
    };
    const cut = () => resolve(told ? clock() : Number.NaN);
    client.ws.on('message', (raw) => {
      if (raw.toString().startsWith('41')) cut();
    });
    client.ws.once('close', cut);
  });
}

function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs `count` revocations on a fresh pair of nodes sharing `redisPrefix`. */
export async function measureRevocations({ count, redisPrefix, tokenPrefix }) {
  const env = { BENCH_REDIS_PREFIX: redisPrefix };
  const nodes = await Promise.all([
    startServer('preset-redis', 'throughput', env),
    startServer('preset-redis', 'throughput', env),
  ]);
  const [a, b] = nodes;
  const tokens = await signTokens(count, { prefix: tokenPrefix });
  const local = [];
  const remote = [];
  const both = [];
  let notTold = 0;
  try {
    for (let index = 0; index < count; index++) {
      const token = tokens[index];
      const user = `${tokenPrefix}-${index}`;
      const [onA, onB] = await Promise.all(
        [a, b].map(({ port }) => LeanClient.connect(port, { origin: ORIGIN, auth: { token } })),
      );
      const cuts = Promise.all([cutAt(onA), cutAt(onB)]);
      const { startedAt } = await a.ask('revoke', { user });
      const [cutA, cutB] = await within(cuts, 5000, `revocation of ${user}`);
      if (Number.isNaN(cutA) || Number.isNaN(cutB)) notTold++;
      local.push(cutA - startedAt);
      remote.push(cutB - startedAt);
      both.push(Math.max(cutA, cutB) - startedAt);
      onA.close();
      onB.close();
    }
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
  }
  return { count, local, remote, both, notTold };
}

// `node bench/src/redis-handshakes.mjs [chain…] [--total N] [--concurrency C] [--rounds R]`:
// what a handshake costs on each side of Redis, for the Redis chains (default
// `preset-redis careful-redis`, alternating, R rounds; `--check-by-check` adds
// `preset-redis` with `careful-redis`'s handshake checks only, and with each of the three
// it makes beyond them added back, to tell what each costs): handshakes per second, the
// server's CPU per handshake, Redis's own CPU per handshake (`INFO cpu`), and the reads
// Redis made from its clients' sockets per handshake (`INFO stats`
// `total_reads_processed`: one per batch of commands that arrived together). Fresh
// tokens; each server first handles as many handshakes unmeasured, to warm up. Run it
// alone: other clients of the same Redis would be counted too.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { runLoadgen, startServer } from './processes.mjs';
import { REDIS_URL, deleteKeys } from './redis.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const index = argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(argv[index + 1]);
};
const named = argv.filter(
  (arg, i) => !arg.startsWith('--') && !/^--(total|concurrency|rounds)$/.test(argv[i - 1] ?? ''),
);
const checkByCheck = [
  'preset-redis-careful-checks',
  'preset-redis-careful-checks+userAttempts',
  'preset-redis-careful-checks+connectionLimit',
  'preset-redis-careful-checks+denylist',
];
const chains = [
  ...(named.length > 0 ? named : ['preset-redis', 'careful-redis']),
  ...(argv.includes('--check-by-check') ? checkByCheck : []),
];
const total = option('total', 3000);
const concurrency = option('concurrency', 20);
const rounds = option('rounds', 2);

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const statsOf = async () => {
  const [cpu, stats] = await Promise.all([redis.info('cpu'), redis.info('stats')]);
  const field = (text, name) => Number(new RegExp(`${name}:([\\d.]+)`).exec(text)?.[1]);
  return {
    cpuSeconds: field(cpu, 'used_cpu_user') + field(cpu, 'used_cpu_sys'),
    reads: field(stats, 'total_reads_processed'),
  };
};

async function measure(chain) {
  const prefix = `portcullis-bench:handshakes:${randomUUID().slice(0, 8)}`;
  const server = await startServer(chain, 'throughput', { BENCH_REDIS_PREFIX: prefix });
  const handshakes = () =>
    runLoadgen(
      { scenario: 'handshake', port: server.port, total, concurrency, tokenIn: 'auth' },
      { onLine: (line, child) => line === 'READY' && child.stdin.write('go\n') },
    );
  const serverCpuMs = async () => {
    const { cpu } = await server.ask('cpu');
    return (cpu.user + cpu.system) / 1000;
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 500));
  try {
    await handshakes(); // warm-up
    await settle();
    const [before, serverBefore] = await Promise.all([statsOf(), serverCpuMs()]);
    const load = await handshakes();
    await settle(); // the sockets' releases are done
    const [after, serverAfter] = await Promise.all([statsOf(), serverCpuMs()]);
    return {
      chain,
      'handshakes/s': Math.round(load.handshakesPerSec),
      'server µs per handshake': Math.round(((serverAfter - serverBefore) * 1000) / total),
      'Redis µs per handshake': Math.round(((after.cpuSeconds - before.cpuSeconds) * 1e6) / total),
      // Less the one read of the INFO that took the second reading.
      'Redis reads per handshake': ((after.reads - before.reads - 1) / total).toFixed(2),
    };
  } finally {
    await server.stop();
    await deleteKeys(prefix);
  }
}

const rows = [];
for (let round = 0; round < rounds; round++) {
  for (const chain of chains) {
    rows.push({ round: round + 1, ...(await measure(chain)) });
  }
}
console.log(`${total} handshakes at concurrency ${concurrency}, after as many unmeasured`);
console.table(rows);
redis.disconnect();

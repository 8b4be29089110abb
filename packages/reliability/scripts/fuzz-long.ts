/**
 * The long wire-fuzzing run: several fuzzing clients at once against one server with
 * the whole preset, an honest client throughout, for a number of cases or seconds.
 *
 *   pnpm --filter @portcullis/reliability fuzz:long -- --cases 20000 --seconds 600 --workers 2
 *
 * Prints the figures and exits non-zero when a case failed (the counterexample and the
 * seed to replay it are printed) or the server misbehaved.
 */
import { parseArgs } from 'node:util';
import { fuzzServer } from '../src/fuzz/fuzz-run';
import { HonestClient } from '../src/honest-client';
import { startServerProcess } from '../src/server-process';
import { PACKAGE_DIR, check, figures, scriptArgs } from './run-support';

const { values } = parseArgs({
  args: scriptArgs(),
  options: {
    cases: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '600' },
    workers: { type: 'string', default: '2' },
    seed: { type: 'string' },
  },
});
const cases = Number(values.cases);
const seconds = Number(values.seconds);
const workers = Number(values.workers);
const baseSeed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);

const server = await startServerProcess({ packageDir: PACKAGE_DIR });
const before = await server.stats({ gc: true });
const honest = await HonestClient.connect(server.url);
honest.start(100);
const started = Date.now();
const runs = await Promise.all(
  Array.from({ length: workers }, (_unused, worker) =>
    fuzzServer(server, {
      numRuns: Math.ceil(cases / workers),
      timeLimitMs: seconds * 1000,
      seed: baseSeed + worker,
      firstIndex: worker * 1_000_000,
      forbiddenCodes: ['INTERNAL'],
    }),
  ),
);
await honest.stop();
const ok = await honest.send('after the run');
// Let the fuzzers' connections and rate-limit windows go before the last sample.
await new Promise((resolve) => setTimeout(resolve, 3000));
const after = await server.stats({ gc: true });

const total = (key: 'handshakes' | 'codes' | 'closes') => {
  const sum: Record<string, number> = {};
  for (const run of runs)
    for (const [name, count] of Object.entries(run[key])) sum[name] = (sum[name] ?? 0) + count;
  return sum;
};
console.log(
  JSON.stringify(
    {
      seeds: runs.map((run) => run.seed),
      cases: runs.reduce((sum, run) => sum + run.cases, 0),
      seconds: (Date.now() - started) / 1000,
      workers,
      handshakes: total('handshakes'),
      refusals: total('codes'),
      closes: total('closes'),
      honest: {
        acks: honest.acks,
        failures: honest.failures.length,
        disconnects: honest.disconnects.length,
      },
      serverBefore: figures(before),
      serverAfter: figures(after),
    },
    null,
    2,
  ),
);
for (const run of runs) if (run.failed) check(false, run.message ?? 'a case failed');
check(
  ok && honest.failures.length === 0 && honest.disconnects.length === 0,
  `honest client: ${honest.failures.slice(0, 5).join('; ')}`,
);
check(
  server.exit() === undefined && server.fatal.length === 0,
  `server: ${JSON.stringify(server.fatal)} ${server.stderr()}`,
);
check(
  server.stderr() === '' && server.warnings.length === 0,
  `stderr/warnings: ${server.stderr()} ${JSON.stringify(server.warnings)}`,
);
check(after.engineClients === 1, `connections left: ${after.engineClients}`);
honest.close();
await server.stop();

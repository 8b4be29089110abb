/**
 * The full soak: 5,000 sockets (by default) connect, chat and leave in waves against a
 * server with the whole preset, then the run waits for every count to return to its
 * baseline and prints the figures: waves, seconds, acks, peak and final heap and RSS,
 * active handles before and after.
 *
 *   pnpm --filter @portcullis/reliability soak:long -- --sockets 5000 --wave 500
 *
 * `--minutes 10` spreads the waves evenly over ten minutes (20,000 sockets in waves of
 * 500: one wave every 15 s) instead of running them back to back.
 *
 * The preset's own rate-limit windows are used (up to a minute, swept every minute), so
 * the wait for the in-memory counters to empty takes up to two minutes; `--short-windows`
 * uses the CI suite's one- and two-second windows instead.
 */
import { parseArgs } from 'node:util';
import { SHORT_WINDOWS, drained, soak } from '../src/soak/soak-run';
import type { ServerStats } from '../src/protocol';
import { startServerProcess } from '../src/server-process';
import { PACKAGE_DIR, check, figures, mb, scriptArgs } from './run-support';

const { values } = parseArgs({
  args: scriptArgs(),
  options: {
    sockets: { type: 'string', default: '5000' },
    wave: { type: 'string', default: '500' },
    messages: { type: 'string', default: '5' },
    room: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '300' },
    minutes: { type: 'string' },
    'drain-seconds': { type: 'string', default: '150' },
    'short-windows': { type: 'boolean', default: false },
  },
});
const sockets = Number(values.sockets);
const messages = Number(values.messages);
const waveSize = Number(values.wave);
// Paced: the waves spread over `--minutes`, and no wave is cut off by `--seconds`.
const pacedMs = values.minutes === undefined ? undefined : Number(values.minutes) * 60_000;
const waveIntervalMs = pacedMs === undefined ? 0 : pacedMs / Math.ceil(sockets / waveSize);
const timeLimitMs = pacedMs === undefined ? Number(values.seconds) * 1000 : pacedMs + 60_000;

const server = await startServerProcess({
  packageDir: PACKAGE_DIR,
  config: values['short-windows'] ? SHORT_WINDOWS : {},
});
const waitFor = async (
  condition: (stats: ServerStats) => boolean,
  seconds: number,
): Promise<ServerStats> => {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const stats = await server.stats({ gc: true });
    if (condition(stats) || Date.now() > end) return stats;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
};
const drainSeconds = Number(values['drain-seconds']);

// Warm-up wave, then the baseline once its counters are gone.
await soak(server, {
  sockets: 50,
  waveSize: 50,
  messagesPerSocket: 2,
  roomSize: 10,
  timeLimitMs: 30_000,
});
const idle = await waitFor(
  (stats) => stats.engineClients === 0 && stats.rateLimitKeys === 0,
  drainSeconds,
);
const baseline = await waitFor((stats) => drained(stats, idle), 30);
console.log(`baseline: ${JSON.stringify(figures(baseline))}`);

const run = await soak(server, {
  sockets,
  waveSize,
  messagesPerSocket: messages,
  roomSize: Number(values.room),
  timeLimitMs,
  waveIntervalMs,
  onWave: (wave) =>
    console.log(
      `wave ${wave.wave}: ${wave.sockets} sockets in ${wave.seconds.toFixed(1)} s, server heap ${mb(wave.server.memory.heapUsed)} MB, rss ${mb(wave.server.memory.rss)} MB, sockets ${wave.server.sockets}`,
    ),
});
const leftAt = Date.now();
const justAfter = await server.stats({ gc: true });
const after = await waitFor((stats) => drained(stats, baseline), drainSeconds);
const summary = {
  waves: run.waves,
  sockets: run.sockets,
  connected: run.connected,
  refused: run.refused,
  messagesAcked: run.acks,
  broadcastsReceived: run.received,
  failures: run.failures,
  seconds: run.seconds,
  handshakesPerSecond: Math.round(run.connected / run.seconds),
  peak: { heapMB: mb(run.peak.heapUsed), rssMB: mb(run.peak.rss), sockets: run.peak.sockets },
  heapMB: {
    baseline: mb(baseline.memory.heapUsed),
    whenAllLeft: mb(justAfter.memory.heapUsed),
    drained: mb(after.memory.heapUsed),
  },
  drainedAfterSeconds: (Date.now() - leftAt) / 1000,
  baseline: figures(baseline),
  whenAllLeft: figures(justAfter),
  after: figures(after),
};
console.log(JSON.stringify(summary, null, 2));
check(
  run.failures === 0 && Object.keys(run.refused).length === 0,
  `failures ${JSON.stringify(run.failureSamples)} refused ${JSON.stringify(run.refused)}`,
);
check(run.acks === run.connected * messages, `acks ${run.acks} of ${run.connected * messages}`);
check(drained(after, baseline), 'counts did not return to the baseline');
check(
  after.memory.heapUsed - baseline.memory.heapUsed < 4 * 2 ** 20,
  'heap did not return to the baseline',
);
check(
  server.exit() === undefined && server.fatal.length === 0 && server.stderr() === '',
  `server: ${server.stderr()} ${JSON.stringify(server.fatal)}`,
);
await server.stop();

import { SHORT_WINDOWS, drained, soak } from '../src/soak/soak-run';
import { expectHealthy, presetProcess, report, statsUntil } from './helpers';

// CI size: 1,000 sockets in waves of 250, bounded to 25 s of waves.
const SOCKETS = 1000;
const WAVE = 250;
const MESSAGES = 3;
const ROOM = 10;
/** Heap growth (after GC) tolerated once everyone has left: far below 1,000 sockets' worth. */
const HEAP_SLACK_BYTES = 3 * 2 ** 20;

const mb = (bytes: number): number => +(bytes / 2 ** 20).toFixed(1);

describe('soak: the whole preset under waves of sockets', () => {
  it('serves every socket, and heap, handles, maps, rooms and timers return to baseline', async () => {
    const server = await presetProcess(SHORT_WINDOWS);
    // Warm-up, so the baseline includes what the first connections create once for all.
    await soak(server, {
      sockets: 50,
      waveSize: 50,
      messagesPerSocket: 2,
      roomSize: ROOM,
      timeLimitMs: 10_000,
    });
    const idle = await statsUntil(
      server,
      (stats) => stats.engineClients === 0 && stats.rateLimitKeys === 0,
    );
    const baseline = await statsUntil(server, (stats) => drained(stats, idle), { gc: true });

    const run = await soak(server, {
      sockets: SOCKETS,
      waveSize: WAVE,
      messagesPerSocket: MESSAGES,
      roomSize: ROOM,
      timeLimitMs: 25_000,
    });
    const after = await statsUntil(server, (stats) => drained(stats, baseline), {
      gc: true,
      timeoutMs: 15_000,
    });
    report('soak', {
      waves: run.waves,
      sockets: run.sockets,
      seconds: run.seconds,
      acks: run.acks,
      received: run.received,
      peakSockets: run.peak.sockets,
      heapMB: {
        baseline: mb(baseline.memory.heapUsed),
        peak: mb(run.peak.heapUsed),
        after: mb(after.memory.heapUsed),
      },
      maxRssMB: mb(after.maxRssBytes),
      activeResources: { baseline: baseline.activeResources, after: after.activeResources },
    });

    expect(run.sockets).toBeGreaterThanOrEqual(500);
    expect(run.refused).toEqual({});
    expect(run.failureSamples).toEqual([]);
    expect(run.connected).toBe(run.sockets);
    expect(run.acks).toBe(run.sockets * MESSAGES);
    expect(run.received).toBeGreaterThan(0);
    expect(run.peak.sockets).toBeGreaterThanOrEqual(Math.min(WAVE, run.sockets) / 2);
    // Everything per socket is gone: connections, rooms, guard maps, timers.
    expect(after).toMatchObject({
      engineClients: 0,
      sockets: 0,
      rooms: 0,
      socketRooms: 0,
      rateLimitKeys: 0,
    });
    expect(after.connectionLimit).toEqual({
      connections: 0,
      pending: 0,
      users: 0,
      ips: 0,
      clusterEntries: 0,
    });
    expect(after.activeResources).toEqual(baseline.activeResources);
    expect(after.memory.heapUsed - baseline.memory.heapUsed).toBeLessThan(HEAP_SLACK_BYTES);
    expectHealthy(server);
  }, 60_000);
});

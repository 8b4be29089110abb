import { setTimeout as delay } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { pingServer } from './latency-ping';
import type { ProbeSocket } from './probe-socket';

/** Pings while something else happens: no more than this many. */
const MAX_PINGS = 50;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The server's usual round trip for `socket`: the median of `count` pings, one at a time. */
export async function usualLatency(
  socket: ProbeSocket,
  timeoutMs: number,
  count = 5,
): Promise<number | undefined> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const ms = await pingServer(socket, timeoutMs);
    if (ms === undefined) return undefined;
    samples.push(ms);
    await delay(5);
  }
  return median(samples);
}

/**
 * Pings through `socket`, one at a time, until `finished()` (and the ping in flight is
 * back): the round trips another client saw meanwhile. The first pings follow each
 * other closely, later ones ever more spaced, so a long wait costs few pings.
 * `undefined` when a ping got no answer.
 */
export async function latencyWhile(
  socket: ProbeSocket,
  finished: () => boolean,
  timeoutMs: number,
): Promise<number[] | undefined> {
  const started = performance.now();
  const samples: number[] = [];
  while (samples.length < MAX_PINGS) {
    const sent = performance.now();
    const ms = await pingServer(socket, timeoutMs);
    if (ms === undefined) return undefined;
    samples.push(ms);
    if (finished()) break;
    const gap = Math.max(1, (performance.now() - started) / 8) - (performance.now() - sent);
    if (gap > 0) await delay(gap);
  }
  return samples;
}

import type { ClockSource } from './clock';
import type { WindowSpec } from './limit-spec';

/**
 * The synchronous in-memory path. rate-limiter-flexible's `consume` answers with a
 * Promise even for its memory store, which costs an allocation and a microtask per
 * packet; these counters keep the same semantics (fixed window, points consumed even
 * when refused, block on the first crossing) and answer synchronously.
 */

/** One key's count in the current window; `expiresAt` in epoch milliseconds. */
export interface Counter {
  count: number;
  expiresAt: number;
}

export function newCounter(): Counter {
  return { count: 0, expiresAt: 0 };
}

/** Answer of a consume: `0` when allowed, otherwise milliseconds until a retry can pass. */
export type ConsumeAnswer = number;

/**
 * Consumes `cost` points, as `RateLimiterMemory.consume` does: a new window starts when
 * the previous one has expired; going over `points` refuses until the window ends, or
 * for `blockDurationMs` from the consume that first crossed the limit.
 */
export function consumeCounter(
  counter: Counter,
  spec: WindowSpec,
  cost: number,
  now: number,
): ConsumeAnswer {
  if (counter.expiresAt <= now) {
    counter.count = cost;
    counter.expiresAt = now + spec.durationMs;
  } else {
    counter.count += cost;
  }
  if (counter.count <= spec.points) return 0;
  if (spec.blockDurationMs > 0 && counter.count - cost <= spec.points) {
    counter.expiresAt = now + spec.blockDurationMs;
  }
  return Math.max(1, counter.expiresAt - now);
}

const MIN_SWEEP_MS = 1000;
const MAX_SWEEP_MS = 60_000;

/**
 * Counters per key (IP subnet, user id) in a Map whose expired entries are swept by one
 * timer, armed only while the Map holds something: memory returns to its baseline once
 * the keys stop coming, and an idle process keeps no timer.
 */
export class KeyedMemoryWindow {
  private readonly counters = new Map<string, Counter>();
  private sweepTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly sweepEveryMs: number;

  constructor(
    readonly spec: WindowSpec,
    /** Read by the sweep only; `consume` is given the check's time. */
    private readonly clock: ClockSource,
  ) {
    this.sweepEveryMs = Math.min(
      MAX_SWEEP_MS,
      Math.max(MIN_SWEEP_MS, spec.durationMs, spec.blockDurationMs),
    );
  }

  consume(key: string, cost: number, now: number): ConsumeAnswer {
    let counter = this.counters.get(key);
    if (counter === undefined) {
      counter = newCounter();
      this.counters.set(key, counter);
      if (this.sweepTimer === undefined) this.armSweep();
    }
    return consumeCounter(counter, this.spec, cost, now);
  }

  /** Keys held right now (expired ones included until the next sweep). */
  get size(): number {
    return this.counters.size;
  }

  /** Drops every counter and the sweep timer. */
  clear(): void {
    this.counters.clear();
    if (this.sweepTimer !== undefined) clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private armSweep(): void {
    const timer = setTimeout(() => this.sweep(), this.sweepEveryMs);
    timer.unref();
    this.sweepTimer = timer;
  }

  private sweep(): void {
    this.sweepTimer = undefined;
    const now = this.clock.now();
    for (const [key, counter] of this.counters) {
      if (counter.expiresAt <= now) this.counters.delete(key);
    }
    if (this.counters.size > 0) this.armSweep();
  }
}

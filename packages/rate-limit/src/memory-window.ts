import type { ClockSource } from './clock';
import type { WindowSpec } from './limit-spec';
import { SweepTimer, sweepPeriodFor } from './sweep-timer';

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

/**
 * Counters per key (IP subnet, user id) in a Map whose expired entries are swept by one
 * timer, armed only while the Map holds something: memory returns to its baseline once
 * the keys stop coming, and an idle process keeps no timer.
 */
export class KeyedMemoryWindow {
  private readonly counters = new Map<string, Counter>();
  private readonly sweeper: SweepTimer;

  constructor(
    readonly spec: WindowSpec,
    /** Read by the sweep only; `consume` is given the check's time. */
    private readonly clock: ClockSource,
  ) {
    this.sweeper = new SweepTimer(sweepPeriodFor(spec), () => this.sweep());
  }

  consume(key: string, cost: number, now: number): ConsumeAnswer {
    let counter = this.counters.get(key);
    if (counter === undefined) {
      counter = newCounter();
      this.counters.set(key, counter);
      this.sweeper.arm();
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
    this.sweeper.stop();
  }

  private sweep(): boolean {
    const now = this.clock.now();
    for (const [key, counter] of this.counters) {
      if (counter.expiresAt <= now) this.counters.delete(key);
    }
    return this.counters.size > 0;
  }
}

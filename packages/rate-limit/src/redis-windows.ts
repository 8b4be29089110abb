import type { RedisScript } from '@portcullis/core';
import type { ClockSource } from './clock';
import type { WindowSpec } from './limit-spec';
import { KeyedMemoryWindow } from './memory-window';
import type { RedisWindowOptions } from './redis-store';
import { WINDOWS_SCRIPT } from './redis-script';
import { StoreFailure, type AsyncWindow, type StoreAnswer } from './store-window';

/** Blocked keys are swept at most this often, and only when there are many. */
const BLOCK_SWEEP_MS = 1000;
const BLOCK_SWEEP_SIZE = 1000;

/**
 * All described windows of one scope (e.g. per user: 60 per second and 1,200 per
 * minute), counted in Redis in one script call per consume: one round trip however many
 * windows there are.
 *
 * - The keys share a Redis Cluster hash slot (`{key}`), so the script may touch them all.
 * - A key over its limit is answered from memory until its wait ends, so a flood that is
 *   already refused does not keep hitting Redis.
 * - While the client is not connected, or Redis fails or is slower than the adapter's
 *   deadline (`storeTimeoutMs`), the in-memory insurance windows answer (per process),
 *   or the answer is a failure that `onStoreError` decides; never a `RATE_LIMITED` made
 *   of an outage. Core's adapter fails at once while the client is not connected, so no
 *   packet waits in the client's offline queue.
 */
export class RedisWindows implements AsyncWindow {
  private readonly script: RedisScript;
  private readonly windowArgs: readonly string[];
  /** Script arguments per cost (costs are few: the cost map's values), built once each. */
  private readonly argsByCost = new Map<number, readonly string[]>();
  private readonly keyPrefixes: readonly string[];
  private readonly insurance: readonly KeyedMemoryWindow[] | undefined;
  private readonly blockedUntil = new Map<string, number>();
  private lastBlockSweep = 0;

  constructor(
    private readonly specs: readonly WindowSpec[],
    name: string,
    options: RedisWindowOptions,
    /** For answers that come later than the check: blocking a key, the insurance. */
    private readonly clock: ClockSource,
  ) {
    this.script = options.adapter.script(WINDOWS_SCRIPT);
    this.windowArgs = specs.flatMap((spec) => [
      String(spec.points),
      String(spec.durationMs / 1000),
      String(spec.blockDurationMs / 1000),
    ]);
    this.keyPrefixes = specs.map((_, index) => `${options.keyPrefix}:${name}:${index}:`);
    this.insurance = options.insurance
      ? specs.map((spec) => new KeyedMemoryWindow(spec, clock))
      : undefined;
  }

  consume(key: string, cost: number, now: number): Promise<StoreAnswer> {
    if (cost === 0) return Promise.resolve(0);
    const blocked = this.blockedUntil.get(key);
    if (blocked !== undefined) {
      if (blocked > now) return Promise.resolve(blocked - now);
      this.blockedUntil.delete(key);
    }
    const tag = `{${key}}`;
    const keys = this.keyPrefixes.map((prefix) => prefix + tag);
    let reply: Promise<unknown>;
    try {
      reply = this.script.run(keys, this.argsFor(cost));
    } catch (error) {
      // A client that throws instead of rejecting: still an outage, not a crash.
      return Promise.resolve(this.fallback(key, cost, error));
    }
    return reply.then(
      (result) => this.answer(key, result),
      (error: unknown) => this.fallback(key, cost, error),
    );
  }

  private argsFor(cost: number): readonly string[] {
    let args = this.argsByCost.get(cost);
    if (args === undefined) {
      args = [String(cost), ...this.windowArgs];
      this.argsByCost.set(cost, args);
    }
    return args;
  }

  /** Turns the script's [count, ms left] pairs into the longest wait (0 when all passed). */
  private answer(key: string, result: unknown): StoreAnswer {
    if (!Array.isArray(result) || result.length !== this.specs.length * 2) {
      return new StoreFailure(new Error('unexpected reply from the rate-limit script'));
    }
    let wait = 0;
    for (let index = 0; index < this.specs.length; index++) {
      const consumed = Number(result[index * 2]);
      if (consumed <= (this.specs[index] as WindowSpec).points) continue;
      const msLeft = Math.max(1, Number(result[index * 2 + 1]));
      if (msLeft > wait) wait = msLeft;
    }
    if (wait > 0) this.block(key, wait);
    return wait;
  }

  private block(key: string, wait: number): void {
    const now = this.clock.now();
    this.blockedUntil.set(key, now + wait);
    if (this.blockedUntil.size > BLOCK_SWEEP_SIZE && now - this.lastBlockSweep >= BLOCK_SWEEP_MS) {
      this.lastBlockSweep = now;
      for (const [blockedKey, until] of this.blockedUntil) {
        if (until <= now) this.blockedUntil.delete(blockedKey);
      }
    }
  }

  /** The insurance counts in memory; without one, the failure goes to `onStoreError`. */
  private fallback(key: string, cost: number, error: unknown): StoreAnswer {
    const insurance = this.insurance;
    if (insurance === undefined) return new StoreFailure(error);
    const now = this.clock.now();
    let wait = 0;
    for (const window of insurance) wait = Math.max(wait, window.consume(key, cost, now));
    return wait;
  }
}

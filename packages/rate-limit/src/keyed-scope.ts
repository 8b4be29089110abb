import type { ClockSource } from './clock';
import { isLimiter, toWindowSpec, type LimitSpec, type WindowSpec } from './limit-spec';
import { KeyedMemoryWindow } from './memory-window';
import { RedisLeaseWindow, leaseSizeFor } from './redis-lease-window';
import type { ResolvedStoreOptions } from './store-options';
import { StoreFailure, StoreWindow, type AsyncWindow, type StoreAnswer } from './store-window';

/**
 * The windows of one scope (per IP, per user, per event, global), keyed by identity.
 * Described windows live in memory, or in Redis when a client was given; limiters the
 * user built are used as they are.
 */
export class KeyedScope {
  private constructor(
    /** Name used in Redis keys and in `info.limit` of a refusal. */
    readonly name: string,
    private readonly memory: readonly KeyedMemoryWindow[],
    private readonly leased: readonly RedisLeaseWindow[],
    private readonly stores: readonly AsyncWindow[],
    /** The windows whose points are known (to check costs against them). */
    readonly specs: readonly WindowSpec[],
  ) {}

  static build(
    name: string,
    limits: readonly LimitSpec[],
    store: ResolvedStoreOptions,
    clock: ClockSource,
    placement: 'store' | 'memory' = 'store',
  ): KeyedScope {
    const memory: KeyedMemoryWindow[] = [];
    const leased: RedisLeaseWindow[] = [];
    const stores: AsyncWindow[] = [];
    const specs: WindowSpec[] = [];
    for (const limit of limits) {
      if (isLimiter(limit)) {
        stores.push(new StoreWindow(limit, store.storeTimeoutMs));
        continue;
      }
      // Whole seconds when counted in Redis: the options spec has checked it.
      const spec = toWindowSpec(limit);
      specs.push(spec);
      const redis = placement === 'store' ? store.redis : undefined;
      if (redis === undefined) {
        memory.push(new KeyedMemoryWindow(spec, clock));
        continue;
      }
      const options = {
        client: redis.client,
        keyPrefix: `${redis.keyPrefix}:${name}:${specs.length - 1}`,
        leaseSize: leaseSizeFor(spec, redis.lease),
        insurance: redis.insurance,
        timeoutMs: store.storeTimeoutMs,
      };
      leased.push(new RedisLeaseWindow(spec, options, clock));
    }
    return new KeyedScope(name, memory, leased, stores, specs);
  }

  get isEmpty(): boolean {
    return this.memory.length === 0 && this.leased.length === 0 && this.stores.length === 0;
  }

  /** Keys held in memory by this scope's described windows (counters, leases, blocks). */
  get trackedKeys(): number {
    let total = 0;
    for (const window of this.memory) total += window.size;
    for (const window of this.leased) total += window.size;
    return total;
  }

  /**
   * Memory windows and leases first, synchronously, stopping at the first refusal; then
   * what Redis or a user's limiter has to answer, together. `0` allowed, a positive
   * number refused; a Promise only when a store has to be asked.
   */
  consume(key: string, cost: number, now: number): number | Promise<StoreAnswer> {
    const memory = this.memory;
    for (let index = 0; index < memory.length; index++) {
      const answer = (memory[index] as KeyedMemoryWindow).consume(key, cost, now);
      if (answer !== 0) return answer;
    }
    let pending: Promise<StoreAnswer>[] | undefined;
    const leased = this.leased;
    for (let index = 0; index < leased.length; index++) {
      const answer = (leased[index] as RedisLeaseWindow).consume(key, cost, now);
      if (typeof answer !== 'number') (pending ??= []).push(answer);
      else if (answer !== 0) return answer;
    }
    const stores = this.stores;
    for (let index = 0; index < stores.length; index++) {
      (pending ??= []).push((stores[index] as AsyncWindow).consume(key, cost, now));
    }
    if (pending === undefined) return 0;
    if (pending.length === 1) return pending[0] as Promise<StoreAnswer>;
    return Promise.all(pending).then(combineAnswers);
  }

  /** Whether some window of the scope leases points from Redis. */
  get leases(): boolean {
    return this.leased.length > 0;
  }

  /** Gives the key's unspent leases back to Redis (its last socket here left). */
  giveBack(key: string, now: number): void {
    for (const window of this.leased) window.giveBack(key, now);
  }

  clear(): void {
    for (const window of this.memory) window.clear();
    for (const window of this.leased) window.clear();
  }
}

/** A refusal wins over a failure (it is a definite answer); the longest wait is kept. */
export function combineAnswers(answers: readonly StoreAnswer[]): StoreAnswer {
  let refusedFor = 0;
  let failure: StoreFailure | undefined;
  for (const answer of answers) {
    if (answer instanceof StoreFailure) failure ??= answer;
    else if (answer > refusedFor) refusedFor = answer;
  }
  if (refusedFor > 0) return refusedFor;
  return failure ?? 0;
}

import type { ClockSource } from './clock';
import { isLimiter, toWindowSpec, type LimitSpec, type WindowSpec } from './limit-spec';
import { KeyedMemoryWindow } from './memory-window';
import { RedisWindows } from './redis-windows';
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
    const stores: AsyncWindow[] = [];
    const specs: WindowSpec[] = [];
    const inRedis: WindowSpec[] = [];
    for (const limit of limits) {
      if (isLimiter(limit)) {
        stores.push(new StoreWindow(limit, store.storeTimeoutMs));
        continue;
      }
      // Whole seconds when counted in Redis: the options spec has checked it.
      const spec = toWindowSpec(limit);
      specs.push(spec);
      if (store.redis !== undefined && placement === 'store') inRedis.push(spec);
      else memory.push(new KeyedMemoryWindow(spec, clock));
    }
    // Every described window of the scope in one script call: one round trip per consume.
    if (store.redis !== undefined && inRedis.length > 0) {
      stores.push(new RedisWindows(inRedis, name, store.redis, clock));
    }
    return new KeyedScope(name, memory, stores, specs);
  }

  get isEmpty(): boolean {
    return this.memory.length === 0 && this.stores.length === 0;
  }

  /** Keys held in memory by this scope's described windows. */
  get trackedKeys(): number {
    let total = 0;
    for (const window of this.memory) total += window.size;
    return total;
  }

  /**
   * Memory windows first, synchronously, stopping at the first refusal; then the store
   * windows together (one round trip). `0` allowed, a positive number refused; a Promise
   * only when a store has to be asked.
   */
  consume(key: string, cost: number, now: number): number | Promise<StoreAnswer> {
    const memory = this.memory;
    for (let index = 0; index < memory.length; index++) {
      const answer = (memory[index] as KeyedMemoryWindow).consume(key, cost, now);
      if (answer !== 0) return answer;
    }
    const stores = this.stores;
    if (stores.length === 0) return 0;
    if (stores.length === 1) return (stores[0] as AsyncWindow).consume(key, cost, now);
    return Promise.all(stores.map((window) => window.consume(key, cost, now))).then(combineAnswers);
  }

  clear(): void {
    for (const window of this.memory) window.clear();
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

import { checkOptions, opt, type MaybePromise, type OptionSpec } from '@portcullis/core';

/**
 * Where revocations are kept. Three primitives, so a store is small to write: the
 * built-in ones are in memory (`memoryDenylistStore`) and Redis (`redisDenylistStore`).
 * Every key is written with a time to live: a revocation is forgotten once every token
 * it concerns has expired anyway.
 */
export interface DenylistStore {
  /** The values of `keys`, in order (`undefined` when absent). One round trip. */
  getMany(keys: readonly string[]): MaybePromise<readonly (string | undefined)[]>;
  /** Writes `value` at `key` for `ttlMs`. */
  set(key: string, value: string, ttlMs: number): MaybePromise<void>;
  /**
   * Writes the number `value` at `key` for `ttlMs`, unless the key already holds a
   * number at least as large (a later cutoff is never replaced by an earlier one).
   */
  setMax(key: string, value: number, ttlMs: number): MaybePromise<void>;
}

export interface MemoryDenylistStoreOptions {
  /** Clock in epoch milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
}

/** Every option `memoryDenylistStore` takes. */
export const memoryDenylistStoreOptionsSpec: OptionSpec = opt.object({ now: opt.func() });

/** Whether `value` has the three methods of a `DenylistStore`. */
export function isDenylistStore(value: unknown): value is DenylistStore {
  const store = value as Partial<Record<keyof DenylistStore, unknown>> | null;
  return (
    typeof store === 'object' &&
    store !== null &&
    typeof store.getMany === 'function' &&
    typeof store.set === 'function' &&
    typeof store.setMax === 'function'
  );
}

interface MemoryEntry {
  value: string;
  expiresAt: number;
}

/** Expired entries are swept after this many writes, so memory stays bounded. */
const SWEEP_EVERY_WRITES = 1024;

/**
 * The default store: a `Map` in this process, with lazy expiry and a sweep every 1,024
 * writes, so it needs no timer. Lookups are synchronous, so the handshake check is too.
 * Only for a single Socket.io node: other nodes do not see its revocations.
 */
export class MemoryDenylistStore implements DenylistStore {
  private readonly entries = new Map<string, MemoryEntry>();
  private readonly now: () => number;
  private writes = 0;

  constructor(options: Readonly<MemoryDenylistStoreOptions> = {}) {
    checkOptions(memoryDenylistStoreOptionsSpec, options, 'memoryDenylistStore');
    this.now = options.now ?? Date.now;
  }

  /** Entries held, expired ones not yet swept included. */
  get size(): number {
    return this.entries.size;
  }

  getMany(keys: readonly string[]): (string | undefined)[] {
    const now = this.now();
    return keys.map((key) => {
      const entry = this.entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
        return undefined;
      }
      return entry.value;
    });
  }

  set(key: string, value: string, ttlMs: number): void {
    const now = this.now();
    this.entries.delete(key); // re-inserted last, so the Map stays in write order
    this.entries.set(key, { value, expiresAt: now + ttlMs });
    this.afterWrite(now);
  }

  setMax(key: string, value: number, ttlMs: number): void {
    const [current] = this.getMany([key]);
    if (current !== undefined && Number(current) >= value) return;
    this.set(key, String(value), ttlMs);
  }

  private afterWrite(now: number): void {
    if (++this.writes % SWEEP_EVERY_WRITES !== 0) return;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
  }
}

/** The in-memory store (the default when no store is given). */
export function memoryDenylistStore(
  options: Readonly<MemoryDenylistStoreOptions> = {},
): MemoryDenylistStore {
  return new MemoryDenylistStore(options);
}

import { isRedisClient, type RedisClientLike, type RedisWindowOptions } from './redis-store';

/** What to do when the store (Redis, or a limiter you built) cannot answer. */
export type StoreErrorPolicy = 'allow' | 'deny';

/** Options every rate-limit guard of this package shares. */
export interface RateLimitStoreOptions {
  /**
   * An ioredis or node-redis client: described limits are counted in Redis, so they hold
   * across every node that shares it. Default: in this process's memory.
   */
  redis?: RedisClientLike;
  /** Prefix of the Redis keys. Default `portcullis:rl`. */
  keyPrefix?: string;
  /**
   * Count in memory, per process, while Redis is unreachable or slow (an
   * insurance limiter). Default `true`. With `false`, `onStoreError` decides.
   */
  insurance?: boolean;
  /**
   * When the store fails and no insurance answers: `'deny'` refuses with `INTERNAL`
   * (fail closed, the default), `'allow'` lets the packet or connection through. A store
   * failure is never answered with `RATE_LIMITED`.
   */
  onStoreError?: StoreErrorPolicy;
  /** A store answer slower than this counts as a failure (or goes to the insurance). Default 500. */
  storeTimeoutMs?: number;
  /** Count and report `would_refuse` events, but refuse nothing. Default `false`. */
  dryRun?: boolean;
  /** Clock in epoch milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface ResolvedStoreOptions {
  readonly redis: RedisWindowOptions | undefined;
  readonly onStoreError: StoreErrorPolicy;
  readonly storeTimeoutMs: number;
  readonly dryRun: boolean;
  readonly now: () => number;
}

export const DEFAULT_KEY_PREFIX = 'portcullis:rl';
export const DEFAULT_STORE_TIMEOUT_MS = 500;

/** Validates the shared options once, in the factory. */
export function resolveStoreOptions(
  options: Readonly<RateLimitStoreOptions>,
  guard: string,
): ResolvedStoreOptions {
  const {
    redis,
    keyPrefix = DEFAULT_KEY_PREFIX,
    insurance = true,
    onStoreError = 'deny',
    storeTimeoutMs = DEFAULT_STORE_TIMEOUT_MS,
    dryRun = false,
    now = Date.now,
  } = options;
  if (redis !== undefined && !isRedisClient(redis)) {
    throw new TypeError(
      `${guard}: redis must be an ioredis or node-redis client (new Redis(url) or createClient({ url })).`,
    );
  }
  if (typeof keyPrefix !== 'string' || keyPrefix.length === 0) {
    throw new TypeError(`${guard}: keyPrefix must be a non-empty string.`);
  }
  if (onStoreError !== 'allow' && onStoreError !== 'deny') {
    throw new TypeError(
      `${guard}: onStoreError must be 'allow' or 'deny'; got ${JSON.stringify(onStoreError)}.`,
    );
  }
  if (
    typeof storeTimeoutMs !== 'number' ||
    !Number.isInteger(storeTimeoutMs) ||
    storeTimeoutMs < 0
  ) {
    throw new TypeError(
      `${guard}: storeTimeoutMs must be 0 (no timeout) or a positive integer of milliseconds.`,
    );
  }
  if (typeof now !== 'function') throw new TypeError(`${guard}: now must be a function.`);
  return {
    redis:
      redis === undefined
        ? undefined
        : { client: redis, keyPrefix, insurance: insurance !== false, timeoutMs: storeTimeoutMs },
    onStoreError,
    storeTimeoutMs,
    dryRun: dryRun === true,
    now,
  };
}

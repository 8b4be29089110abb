import {
  REDIS_CLIENT_EXPECTED,
  isPlainObject,
  isRedisClient,
  opt,
  type OptionSpec,
  type RedisClient,
  type StoreErrorPolicy,
} from '@portcullis/core';
import { limitList, type Limits } from './limit-spec';
import type { RedisWindowOptions } from './redis-store';

export type { StoreErrorPolicy } from '@portcullis/core';

/** Options every rate-limit guard of this package shares. */
export interface RateLimitStoreOptions {
  /**
   * An ioredis or node-redis client: described per-IP, per-user and per-event limits are
   * counted in Redis, so they hold across every node that shares it. Default: in this
   * process's memory.
   */
  redis?: RedisClient;
  /** Prefix of the Redis keys. Default `portcullis:rl`. */
  keyPrefix?: string;
  /**
   * Points a node takes from Redis at once for a key and then spends in memory, without
   * a round trip per packet (leased quotas). Every node together never exceeds the
   * limit; up to `lease - 1` points per node may go unused in a window. Default:
   * automatic, 1 (exact) for windows of 10 points or fewer, a quarter of the points
   * above that. `false` asks Redis for every packet.
   */
  lease?: number | false;
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
  /**
   * A store answer slower than this counts as a failure (or goes to the insurance): the
   * deadline of every Redis call and of limiters you built. Default 500.
   */
  storeTimeoutMs?: number;
  /** Count and report `would_refuse` events, but refuse nothing. Default `false`. */
  dryRun?: boolean;
}

export interface ResolvedStoreOptions {
  readonly redis: RedisWindowOptions | undefined;
  readonly onStoreError: StoreErrorPolicy;
  readonly storeTimeoutMs: number;
  readonly dryRun: boolean;
}

export const DEFAULT_KEY_PREFIX = 'portcullis:rl';
export const DEFAULT_STORE_TIMEOUT_MS = 500;

const ESCALATION_HINT =
  'core decides when refusals cut a socket: configurePortcullis(io, { escalation: { disconnectAfter: { refusals, withinMs } } })';

/** `disconnectAfter` and the error-rate guard's `errors`: their job is core's escalation now. */
export const removedForEscalation: OptionSpec = opt.removed(ESCALATION_HINT);

/** The spec of every option in `RateLimitStoreOptions`, shared by every factory. */
export const storeOptionFields: Readonly<Record<string, OptionSpec>> = {
  redis: opt.custom(REDIS_CLIENT_EXPECTED, isRedisClient),
  keyPrefix: opt.string(),
  lease: opt.off(opt.integer({ min: 1 })),
  insurance: opt.boolean(),
  onStoreError: opt.oneOf<StoreErrorPolicy>(['deny', 'allow']),
  storeTimeoutMs: opt.oldSpelling(
    opt.duration({ min: 1 }),
    0,
    '0 no longer means "no timeout": a packet never waits on a store without a deadline; give milliseconds (default 500).',
  ),
  dryRun: opt.boolean(),
  now: opt.removed(
    "the guards read core's clock: configurePortcullis(io, { now }), or Date.now by default",
  ),
};

/**
 * Redis counts in whole seconds: a described window of a scope counted there must be
 * whole seconds, said at set-up rather than rounded at run time. `scopes` are the raw
 * options of the scopes Redis counts (defaults are whole seconds), with their paths.
 */
export function wholeSecondsProblem(
  scopes: readonly (readonly [string, unknown])[],
): string | undefined {
  for (const [path, limits] of scopes) {
    if (limits === undefined) continue;
    const list = limitList(limits as Limits, false);
    for (let index = 0; index < list.length; index++) {
      const limit = list[index];
      if (!isPlainObject(limit)) continue;
      const label = Array.isArray(limits) ? `${path}[${index}]` : path;
      const { durationMs, blockDurationMs } = limit as {
        durationMs: number;
        blockDurationMs?: unknown;
      };
      const block = typeof blockDurationMs === 'number' ? blockDurationMs : 0;
      if (durationMs % 1000 !== 0 || block % 1000 !== 0) {
        return (
          `${label}: Redis counts in whole seconds, so durationMs and blockDurationMs must be ` +
          `multiples of 1000 (got ${durationMs} and ${block}).`
        );
      }
    }
  }
  return undefined;
}

/** Fills in the defaults of options the spec has checked. */
export function resolveStoreOptions(
  options: Readonly<RateLimitStoreOptions>,
): ResolvedStoreOptions {
  const storeTimeoutMs = options.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  const redis = options.redis;
  return {
    redis:
      redis === undefined
        ? undefined
        : {
            client: redis,
            keyPrefix: options.keyPrefix ?? DEFAULT_KEY_PREFIX,
            insurance: options.insurance ?? true,
            lease: options.lease,
          },
    onStoreError: options.onStoreError ?? 'deny',
    storeTimeoutMs,
    dryRun: options.dryRun ?? false,
  };
}

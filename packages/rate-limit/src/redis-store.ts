import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { WindowSpec } from './limit-spec';
import { StoreWindow } from './store-window';

/**
 * An ioredis client (or cluster) or a node-redis v4+ client. Typed loosely on purpose:
 * neither package is a dependency of ours, and rate-limiter-flexible takes either.
 */
export interface RedisClientLike {
  multi(...args: never[]): unknown;
}

export function isRedisClient(value: unknown): value is RedisClientLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { multi?: unknown }).multi === 'function' &&
    (typeof (value as { defineCommand?: unknown }).defineCommand === 'function' ||
      typeof (value as { eval?: unknown }).eval === 'function')
  );
}

/** ioredis defines custom commands; node-redis does not, and needs `useRedisPackage`. */
function isIoredis(client: RedisClientLike): boolean {
  return typeof (client as { defineCommand?: unknown }).defineCommand === 'function';
}

export interface RedisWindowOptions {
  readonly client: RedisClientLike;
  readonly keyPrefix: string;
  readonly insurance: boolean;
  readonly timeoutMs: number;
}

/**
 * A window in Redis through `RateLimiterRedis`:
 * - `rejectIfRedisNotReady`, so a command is not parked in the client's offline queue
 *   while Redis is down: it fails at once and the insurance limiter answers;
 * - `useRedisPackage` for node-redis (rate-limiter-flexible cannot detect v5 by itself);
 * - an in-memory block once a key is over its limit, so a flood that is already refused
 *   does not keep hitting Redis (the same answer until the window or block ends);
 * - an in-memory insurance limiter with the same points and duration, which counts per
 *   process while Redis is unreachable.
 */
export function redisWindow(
  spec: WindowSpec,
  name: string,
  options: RedisWindowOptions,
): StoreWindow {
  const duration = spec.durationMs / 1000;
  const blockDuration = spec.blockDurationMs / 1000;
  const keyPrefix = `${options.keyPrefix}:${name}`;
  const insurance = options.insurance
    ? new RateLimiterMemory({ points: spec.points, duration, blockDuration, keyPrefix })
    : undefined;
  const limiter = new RateLimiterRedis({
    storeClient: options.client,
    useRedisPackage: !isIoredis(options.client),
    rejectIfRedisNotReady: true,
    points: spec.points,
    duration,
    blockDuration,
    keyPrefix,
    inMemoryBlockOnConsumed: spec.points + 1,
    inMemoryBlockDuration: blockDuration,
    ...(insurance === undefined ? {} : { insuranceLimiter: insurance }),
  });
  return new StoreWindow(limiter, insurance, options.timeoutMs);
}

import { createRedisAdapter, type MaybePromise, type RedisClient } from '@portcullis/core';

/**
 * Where seen message ids are kept for the window. `claim` answers `true` the first time
 * a key is seen within `ttlMs`, `false` for a repeat. Atomic: two nodes claiming one key
 * at once cannot both win.
 */
export interface ReplayStore {
  claim(key: string, ttlMs: number, now: number): MaybePromise<boolean>;
}

/**
 * In this process: a Map in arrival order. Every key lives the same window, so arrival
 * order is expiry order and expired keys are dropped from the front as new ones come in
 * (no timer, no sweep). At `maxKeys` the oldest live key is forgotten early.
 */
export function memoryReplayStore(maxKeys = 1_000_000): ReplayStore & { readonly size: number } {
  const expiries = new Map<string, number>();
  return {
    claim(key, ttlMs, now) {
      for (const [oldest, expiresAt] of expiries) {
        if (expiresAt > now && expiries.size < maxKeys) break;
        expiries.delete(oldest);
      }
      const known = expiries.get(key);
      if (known !== undefined && known > now) return false;
      expiries.set(key, now + ttlMs);
      return true;
    },
    get size() {
      return expiries.size;
    },
  };
}

export interface RedisReplayStoreOptions {
  /** Key prefix. Default `portcullis:replay:`. */
  readonly prefix?: string;
  /** A Redis answer slower than this is a failure (the message is refused, `INTERNAL`). Default 500. */
  readonly storeTimeoutMs?: number;
}

/** Seen ids in Redis (`SET key 1 NX PX window`), so a replay to another node is caught too. */
export function redisReplayStore(
  client: RedisClient,
  options: RedisReplayStoreOptions = {},
): ReplayStore {
  const redis = createRedisAdapter(client, {
    commandTimeoutMs: options.storeTimeoutMs ?? 500,
    owner: 'redisReplayStore',
  });
  const prefix = options.prefix ?? 'portcullis:replay:';
  return {
    async claim(key, ttlMs) {
      const reply = await redis.command(['SET', prefix + key, '1', 'NX', 'PX', Math.ceil(ttlMs)]);
      return reply === 'OK';
    },
  };
}

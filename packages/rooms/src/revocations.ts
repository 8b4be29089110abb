import { createRedisAdapter, type MaybePromise, type RedisClient } from '@portcullis/core';

/** Where `revokeRoom` is remembered, so the user cannot join the room again at once. */
export interface RoomRevocationStore {
  revoke(userId: string, room: string, ttlMs: number): MaybePromise<void>;
  isRevoked(userId: string, room: string): MaybePromise<boolean>;
}

const keyOf = (userId: string, room: string): string => `${userId}\n${room}`;

/** This process only: right for one node. Expired entries go on the next sweep. */
export function memoryRoomRevocations(now: () => number = Date.now): RoomRevocationStore {
  const until = new Map<string, number>();
  let writes = 0;
  const sweep = (at: number): void => {
    for (const [key, expiresAt] of until) if (expiresAt <= at) until.delete(key);
  };
  return {
    revoke(userId, room, ttlMs) {
      const at = now();
      until.set(keyOf(userId, room), at + ttlMs);
      if (++writes % 256 === 0) sweep(at);
    },
    isRevoked(userId, room) {
      const expiresAt = until.get(keyOf(userId, room));
      return expiresAt !== undefined && expiresAt > now();
    },
  };
}

export interface RedisRoomRevocationsOptions {
  /** Key prefix. Default `portcullis:rooms:revoked:`. */
  readonly prefix?: string;
  /** A Redis answer slower than this is a failure (the join is refused). Default 500. */
  readonly storeTimeoutMs?: number;
}

/**
 * Revocations shared by every node through Redis (`SET … PX`, `EXISTS`), via core's
 * Redis adapter. A failing store refuses the join (`INTERNAL`): a revoked user must not
 * get back in during an outage.
 */
export function redisRoomRevocations(
  client: RedisClient,
  options: RedisRoomRevocationsOptions = {},
): RoomRevocationStore {
  const redis = createRedisAdapter(client, {
    commandTimeoutMs: options.storeTimeoutMs ?? 500,
    owner: 'redisRoomRevocations',
  });
  const prefix = options.prefix ?? 'portcullis:rooms:revoked:';
  const key = (userId: string, room: string): string => `${prefix}{${userId}}:${room}`;
  return {
    async revoke(userId, room, ttlMs) {
      await redis.command(['SET', key(userId, room), '1', 'PX', Math.ceil(ttlMs)]);
    },
    async isRevoked(userId, room) {
      return Number(await redis.command(['EXISTS', key(userId, room)])) === 1;
    },
  };
}

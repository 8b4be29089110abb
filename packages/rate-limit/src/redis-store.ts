/**
 * An ioredis client (or cluster) or a node-redis v4+ client. Typed loosely on purpose:
 * neither package is a dependency of ours, and the script runner speaks to both.
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

export interface RedisWindowOptions {
  readonly client: RedisClientLike;
  readonly keyPrefix: string;
  readonly insurance: boolean;
  readonly timeoutMs: number;
}

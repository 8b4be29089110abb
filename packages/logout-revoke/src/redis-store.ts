import {
  DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  REDIS_CLIENT_EXPECTED,
  checkOptions,
  createRedisAdapter,
  isRedisClient,
  opt,
  type OptionSpec,
  type RedisAdapter,
  slotSafePrefix,
  type RedisClient,
  type RedisScript,
} from '@portcullis/core';
import type { DenylistStore } from './store';

export interface RedisDenylistStoreOptions {
  /**
   * Prefix of every key. Default `portcullis:revoked:`. On an ioredis `Cluster`, a
   * prefix without a hash tag is put in braces (`{portcullis:revoked}:`): one handshake's
   * keys (user, session, token) must share a slot for its single `MGET`.
   */
  prefix?: string;
  /**
   * A Redis command slower than this counts as failed: the handshake check follows the
   * guard's `onStoreError`, a revocation call rejects. Default 500.
   */
  storeTimeoutMs?: number;
}

/** Every option `redisDenylistStore(client, options)` takes (the second argument). */
export const redisDenylistStoreOptionsSpec: OptionSpec = opt.object({
  prefix: opt.string({ allowEmpty: true }),
  storeTimeoutMs: opt.duration({ min: 1 }),
});

const clientSpec = opt.object({
  client: opt.required(opt.custom(REDIS_CLIENT_EXPECTED, isRedisClient)),
});

/** Writes a number unless a larger one is there already; keeps the larger one's TTL. */
const SET_MAX_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]))
if current and current >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/**
 * Revocations in Redis, shared by every node: keys with a TTL (`SET … PX`), so Redis
 * forgets them by itself; the handshake reads all the keys it needs with one `MGET`.
 * Commands go through core's Redis adapter: each has a deadline (`storeTimeoutMs`), none
 * waits in the client's offline queue while Redis is unreachable, and the cutoff script
 * runs by `EVALSHA`.
 */
export class RedisDenylistStore implements DenylistStore {
  private readonly redis: RedisAdapter;
  private readonly prefix: string;
  private readonly setMaxScript: RedisScript;

  constructor(client: RedisClient, options: Readonly<RedisDenylistStoreOptions> = {}) {
    checkOptions(clientSpec, { client }, 'redisDenylistStore');
    checkOptions(redisDenylistStoreOptionsSpec, options, 'redisDenylistStore');
    this.redis = createRedisAdapter(client, {
      commandTimeoutMs: options.storeTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    });
    this.prefix = slotSafePrefix(client, options.prefix ?? 'portcullis:revoked:');
    this.setMaxScript = this.redis.script(SET_MAX_SCRIPT);
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    const reply = await this.redis.command(['MGET', ...keys.map((key) => this.prefix + key)]);
    if (!Array.isArray(reply)) throw new TypeError('Unexpected MGET reply from Redis.');
    return reply.map((value: unknown) => (typeof value === 'string' ? value : undefined));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.command(['SET', this.prefix + key, value, 'PX', Math.ceil(ttlMs)]);
  }

  async setMax(key: string, value: number, ttlMs: number): Promise<void> {
    await this.setMaxScript.run([this.prefix + key], [value, Math.ceil(ttlMs)]);
  }
}

/** The Redis store, for several Socket.io nodes (and revokers) sharing one Redis. */
export function redisDenylistStore(
  client: RedisClient,
  options: Readonly<RedisDenylistStoreOptions> = {},
): RedisDenylistStore {
  return new RedisDenylistStore(client, options);
}

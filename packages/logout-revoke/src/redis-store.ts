import type { DenylistStore } from './store';

/** An `ioredis` client (`Redis` or `Cluster`): anything with `call(command, ...args)`. */
export interface IoRedisLikeClient {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}

/** A `redis` (node-redis v4/v5) client: anything with `sendCommand(args)`. */
export interface NodeRedisLikeClient {
  sendCommand(args: string[]): Promise<unknown>;
}

export type RedisDenylistClient = IoRedisLikeClient | NodeRedisLikeClient;

export interface RedisDenylistStoreOptions {
  /**
   * Prefix of every key. Default `portcullis:revoked:`. On Redis Cluster, use a hash tag
   * (`{portcullis:revoked}:`) so one handshake's keys share a slot and MGET still works.
   */
  prefix?: string;
}

/** Writes a number unless a larger one is there already; keeps the larger one's TTL. */
const SET_MAX_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]))
if current and current >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

type Command = (args: string[]) => Promise<unknown>;

function commandOf(client: RedisDenylistClient): Command {
  if (typeof (client as IoRedisLikeClient).call === 'function') {
    const ioredis = client as IoRedisLikeClient;
    return ([command, ...args]) => ioredis.call(command as string, ...args);
  }
  if (typeof (client as NodeRedisLikeClient).sendCommand === 'function') {
    const nodeRedis = client as NodeRedisLikeClient;
    return (args) => nodeRedis.sendCommand(args);
  }
  throw new TypeError(
    'redisDenylistStore: pass an ioredis client (new Redis(url)) or a connected node-redis ' +
      'client (await createClient({ url }).connect()).',
  );
}

/**
 * Revocations in Redis, shared by every node: keys with a TTL (`SET … PX`), so Redis
 * forgets them by itself; the handshake reads all the keys it needs with one `MGET`.
 * Commands go through the client as they are, so its own settings apply (set a command
 * timeout, e.g. ioredis `commandTimeout`, so an unreachable Redis fails fast).
 */
export class RedisDenylistStore implements DenylistStore {
  private readonly command: Command;
  private readonly prefix: string;

  constructor(client: RedisDenylistClient, options: RedisDenylistStoreOptions = {}) {
    this.command = commandOf(client);
    const prefix = options.prefix ?? 'portcullis:revoked:';
    if (typeof prefix !== 'string') {
      throw new TypeError('redisDenylistStore: prefix must be a string.');
    }
    this.prefix = prefix;
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    const reply = await this.command(['MGET', ...keys.map((key) => this.prefix + key)]);
    if (!Array.isArray(reply)) throw new TypeError('Unexpected MGET reply from Redis.');
    return reply.map((value: unknown) => (typeof value === 'string' ? value : undefined));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.command(['SET', this.prefix + key, value, 'PX', String(Math.ceil(ttlMs))]);
  }

  async setMax(key: string, value: number, ttlMs: number): Promise<void> {
    await this.command([
      'EVAL',
      SET_MAX_SCRIPT,
      '1',
      this.prefix + key,
      String(value),
      String(Math.ceil(ttlMs)),
    ]);
  }
}

/** The Redis store, for several Socket.io nodes (and revokers) sharing one Redis. */
export function redisDenylistStore(
  client: RedisDenylistClient,
  options: RedisDenylistStoreOptions = {},
): RedisDenylistStore {
  return new RedisDenylistStore(client, options);
}

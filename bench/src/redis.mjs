// The Redis the `preset-redis` chain and the revocation scenario use (REDIS_URL, or the
// local default), checked once; and removal of the keys a run left behind.
import { randomUUID } from 'node:crypto';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** `true` when Redis answers a PING within a second. */
export async function redisAvailable() {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * A Redis-backed node: a store client and the Redis adapter on `io`, under the key
 * prefix `BENCH_REDIS_PREFIX` (two nodes of one cluster share it) or a fresh one (so
 * runs never count each other's traffic).
 */
export async function redisNode(io) {
  const prefix = process.env.BENCH_REDIS_PREFIX ?? `portcullis-bench:${randomUUID()}`;
  const client = () => new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const [redis, pub, sub] = [client(), client(), client()];
  await Promise.all([redis.ping(), pub.ping(), sub.ping()]);
  io.adapter(createAdapter(pub, sub, { key: `${prefix}:socket.io` }));
  return { redis, prefix };
}

/** Deletes every key under `prefix` (the servers are killed, so they cannot). */
export async function deleteKeys(prefix) {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

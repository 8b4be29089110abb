import { Redis, type RedisOptions } from 'ioredis';
import { createClient, type RedisClientOptions } from 'redis';
import { onCleanup } from './cleanup';

/**
 * An ioredis client that is connected when this resolves, its errors swallowed (tests
 * stop Redis on purpose) and closed after the test. Connected first because a client
 * without an offline queue refuses commands sent before it is.
 */
export async function readyIoredis(url: string, options: RedisOptions = {}): Promise<Redis> {
  const client = new Redis(url, { disconnectTimeout: 50, ...options });
  client.on('error', () => undefined);
  onCleanup(() => client.disconnect());
  if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
  return client;
}

/** The client `createClient` of node-redis returns. */
export type NodeRedisClient = ReturnType<typeof createClient>;

/** A connected node-redis client, its errors swallowed, closed after the test. */
export async function readyNodeRedis(
  url: string,
  options: RedisClientOptions = {},
): Promise<NodeRedisClient> {
  const client: NodeRedisClient = createClient({ ...options, url });
  client.on('error', () => undefined);
  await client.connect();
  onCleanup(async () => {
    if (client.isOpen) await client.quit();
  });
  return client;
}

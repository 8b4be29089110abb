import { Redis, type Cluster, type RedisOptions } from 'ioredis';
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
  onCleanup(() => closeIoredis(client));
  if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
  return client;
}

/**
 * Closes an ioredis client (a server or a `Cluster`) after the replies it still awaits:
 * `QUIT` when it is connected (bounded by `timeoutMs`), a hard disconnect otherwise. A
 * hard disconnect of a connected client rejects its pending commands with "Connection
 * is closed", among them commands nobody awaits (the unsubscribes
 * `@socket.io/redis-adapter` sends when its server closes), and those rejections surface
 * later, as a failure of whatever suite the Jest worker runs next.
 */
export async function closeIoredis(client: Redis | Cluster, timeoutMs = 1000): Promise<void> {
  if (client.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.quit().then(
        () => undefined,
        () => undefined,
      ),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
  if (client.status !== 'end') client.disconnect();
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

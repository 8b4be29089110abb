/**
 * The Redis clients Portcullis speaks to: ioredis (`Redis`, `Cluster`) and node-redis
 * v4/v5 (`createClient()`), typed by the few members used, since neither package is a
 * dependency of ours. Every guard with a Redis store takes one of these.
 */
export interface IoredisLikeClient {
  call(command: string, ...args: (string | number | Buffer)[]): Promise<unknown>;
  readonly status?: string;
}

export interface NodeRedisLikeClient {
  sendCommand(args: string[]): Promise<unknown>;
  readonly isReady?: boolean;
}

/** An ioredis or node-redis client. */
export type RedisClient = IoredisLikeClient | NodeRedisLikeClient;

export function isIoredisClient(value: unknown): value is IoredisLikeClient {
  return typeof (value as { call?: unknown } | null)?.call === 'function';
}

export function isNodeRedisClient(value: unknown): value is NodeRedisLikeClient {
  return typeof (value as { sendCommand?: unknown } | null)?.sendCommand === 'function';
}

/** Whether `value` is a client this adapter can drive. */
export function isRedisClient(value: unknown): value is RedisClient {
  return (
    typeof value === 'object' &&
    value !== null &&
    (isIoredisClient(value) || isNodeRedisClient(value))
  );
}

export const REDIS_CLIENT_EXPECTED =
  'an ioredis client (new Redis(url)) or a connected node-redis client (await createClient({ url }).connect())';

/** An ioredis `Cluster` (it says so itself): keys of one command must share a hash slot. */
export function isClusterClient(value: unknown): boolean {
  return (value as { isCluster?: unknown } | null)?.isCluster === true;
}

/**
 * `prefix` with a hash tag when `client` is a Cluster and the prefix has none, so every
 * key under it lands in one slot (a multi-key command, or a script over keys the caller
 * cannot tag by user, works there): `portcullis:revoked:` → `{portcullis:revoked}:`. A
 * prefix that holds a tag, and every prefix on a single server, is kept as given.
 */
export function slotSafePrefix(client: unknown, prefix: string): string {
  if (!isClusterClient(client) || /\{[^}]+\}/.test(prefix)) return prefix;
  const name = prefix.replace(/:$/, '');
  return name === '' ? prefix : `{${name}}:`;
}

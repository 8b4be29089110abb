import { isRedisClient, type RedisClientLike } from './redis-client';

/** What to do with a user already at `maxPerUser` on this node. */
export type PerUserPolicy = 'refuse-new' | 'disconnect-oldest';

/** What to do when Redis cannot answer. */
export type StoreErrorPolicy = 'allow' | 'deny';

export interface ConnectionLimitGuardOptions {
  /** Connections on this node, every namespace the guard is installed on. Default 10 000. */
  maxConnections?: number;
  /** Connections per client IP (IPv6 per `ipv6Subnet`) on this node. Default 100. */
  maxPerIp?: number;
  /** IPv6 prefix length one client is keyed by, since a host owns a whole /64. Default 64. */
  ipv6Subnet?: number;
  /** Connections per authenticated user (`user.id` of the context) on this node. Default 20. */
  maxPerUser?: number;
  /**
   * A user at `maxPerUser`: `'refuse-new'` (default) refuses the new connection;
   * `'disconnect-oldest'` lets it in and disconnects that user's oldest one on this node.
   */
  perUserPolicy?: PerUserPolicy;
  /**
   * Above this many connections the node degrades gracefully: new anonymous connections,
   * and those from an IP that already holds `softMaxPerIp`, are refused, so known users
   * still get in up to `maxConnections`. Default 90 % of `maxConnections`; `Infinity`
   * turns it off.
   */
  softLimit?: number;
  /** Above `softLimit`, an IP holding this many connections gets no more. Default `maxPerIp / 10` (at least 1). */
  softMaxPerIp?: number;
  /** `retryAfterMs` sent with `CONNECTION_LIMIT`, a hint for client back-off. Default 5000. */
  retryAfterMs?: number;
  /**
   * A handshake that passed this guard but neither connected nor failed visibly (a later
   * middleware that never answers) holds its place at most this long. Default 45 000,
   * Socket.io's `connectTimeout`.
   */
  pendingTimeoutMs?: number;
  /**
   * An ioredis or node-redis client: the per-user cap also holds across every node
   * sharing it (`clusterMaxPerUser`). Default: none, this node only.
   */
  redis?: RedisClientLike;
  /** Connections per user across the cluster (needs `redis`). Default `maxPerUser`. */
  clusterMaxPerUser?: number;
  /** Prefix of the Redis keys. Default `portcullis:cl`. */
  keyPrefix?: string;
  /**
   * Each connection is an entry in Redis that expires this long after its node last
   * refreshed it, so a crashed node's connections stop counting. Default 30 000.
   */
  leaseTtlMs?: number;
  /** How often a node refreshes its connections in Redis. Default `leaseTtlMs / 3`. */
  heartbeatMs?: number;
  /**
   * When Redis fails or is slower than `storeTimeoutMs`: `'deny'` (default) refuses the
   * handshake with `INTERNAL` (retryable); `'allow'` lets it in on the node's own caps
   * and records a `warning` event. Never answered with `CONNECTION_LIMIT`.
   */
  onStoreError?: StoreErrorPolicy;
  /** A Redis answer slower than this counts as a failure. Default 500. */
  storeTimeoutMs?: number;
}

export interface ResolvedOptions {
  readonly maxConnections: number;
  readonly maxPerIp: number;
  readonly ipv6Subnet: number;
  readonly maxPerUser: number;
  readonly perUserPolicy: PerUserPolicy;
  readonly softLimit: number;
  readonly softMaxPerIp: number;
  readonly retryAfterMs: number;
  readonly pendingTimeoutMs: number;
  readonly cluster: ResolvedClusterOptions | undefined;
}

export interface ResolvedClusterOptions {
  readonly redis: RedisClientLike;
  readonly maxPerUser: number;
  readonly keyPrefix: string;
  readonly leaseTtlMs: number;
  readonly heartbeatMs: number;
  readonly onStoreError: StoreErrorPolicy;
  readonly storeTimeoutMs: number;
}

const KNOWN = new Set([
  'maxConnections',
  'maxPerIp',
  'ipv6Subnet',
  'maxPerUser',
  'perUserPolicy',
  'softLimit',
  'softMaxPerIp',
  'retryAfterMs',
  'pendingTimeoutMs',
  'redis',
  'clusterMaxPerUser',
  'keyPrefix',
  'leaseTtlMs',
  'heartbeatMs',
  'onStoreError',
  'storeTimeoutMs',
]);

const CLUSTER_ONLY = [
  'clusterMaxPerUser',
  'keyPrefix',
  'leaseTtlMs',
  'heartbeatMs',
  'onStoreError',
  'storeTimeoutMs',
];

function fail(message: string): never {
  throw new TypeError(`connectionLimitGuard: ${message}`);
}

/** A count: a positive integer, or `Infinity` for no cap. */
function cap(name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (value === Infinity) return Infinity;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(`${name} must be an integer >= ${min} or Infinity; got ${String(value)}.`);
  }
  return value;
}

function duration(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    fail(`${name} must be a number of milliseconds >= ${min}; got ${String(value)}.`);
  }
  return value;
}

function oneOf<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    fail(
      `${name} must be ${allowed.map((entry) => `'${entry}'`).join(' or ')}; got ${String(value)}.`,
    );
  }
  return value as T;
}

/** Validates the options once, in the factory, with messages that say how to fix them. */
export function resolveOptions(options: Readonly<ConnectionLimitGuardOptions>): ResolvedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    fail('options must be an object, e.g. { maxPerUser: 5 }.');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) fail(`unknown option "${key}"; known: ${[...KNOWN].join(', ')}.`);
  }
  const maxConnections = cap('maxConnections', options.maxConnections, 10_000);
  const maxPerIp = cap('maxPerIp', options.maxPerIp, 100);
  const ipv6Subnet = options.ipv6Subnet ?? 64;
  if (!Number.isInteger(ipv6Subnet) || ipv6Subnet < 1 || ipv6Subnet > 128) {
    fail(
      `ipv6Subnet must be a prefix length from 1 to 128 (default 64); got ${String(ipv6Subnet)}.`,
    );
  }
  const maxPerUser = cap('maxPerUser', options.maxPerUser, 20);
  const perUserPolicy = oneOf(
    'perUserPolicy',
    options.perUserPolicy,
    ['refuse-new', 'disconnect-oldest'] as const,
    'refuse-new',
  );
  const defaultSoft = maxConnections === Infinity ? Infinity : Math.floor(maxConnections * 0.9);
  const softLimit = cap('softLimit', options.softLimit, defaultSoft, 0);
  if (softLimit !== Infinity && softLimit > maxConnections) {
    fail(`softLimit (${softLimit}) must not exceed maxConnections (${maxConnections}).`);
  }
  const defaultSoftPerIp =
    maxPerIp === Infinity ? Infinity : Math.max(1, Math.floor(maxPerIp / 10));
  const softMaxPerIp = cap('softMaxPerIp', options.softMaxPerIp, defaultSoftPerIp);
  const retryAfterMs = duration('retryAfterMs', options.retryAfterMs, 5000, 0);
  const pendingTimeoutMs = duration('pendingTimeoutMs', options.pendingTimeoutMs, 45_000, 1);

  if (options.redis === undefined) {
    const stray = CLUSTER_ONLY.filter(
      (key) => (options as Record<string, unknown>)[key] !== undefined,
    );
    if (stray.length > 0)
      fail(`${stray.join(', ')} only apply with a redis client; pass redis too.`);
    return {
      maxConnections,
      maxPerIp,
      ipv6Subnet,
      maxPerUser,
      perUserPolicy,
      softLimit,
      softMaxPerIp,
      retryAfterMs,
      pendingTimeoutMs,
      cluster: undefined,
    };
  }
  if (!isRedisClient(options.redis)) {
    fail(
      'redis must be an ioredis client (new Redis()) or a connected node-redis client (createClient()).',
    );
  }
  const leaseTtlMs = duration('leaseTtlMs', options.leaseTtlMs, 30_000, 1000);
  const heartbeatMs = duration('heartbeatMs', options.heartbeatMs, Math.floor(leaseTtlMs / 3), 100);
  if (heartbeatMs > leaseTtlMs / 2) {
    fail(
      `heartbeatMs (${heartbeatMs}) must be at most half of leaseTtlMs (${leaseTtlMs}), or live connections expire between refreshes.`,
    );
  }
  const keyPrefix = options.keyPrefix ?? 'portcullis:cl';
  if (typeof keyPrefix !== 'string' || keyPrefix.length === 0)
    fail('keyPrefix must be a non-empty string.');
  return {
    maxConnections,
    maxPerIp,
    ipv6Subnet,
    maxPerUser,
    perUserPolicy,
    softLimit,
    softMaxPerIp,
    retryAfterMs,
    pendingTimeoutMs,
    cluster: {
      redis: options.redis,
      maxPerUser: cap('clusterMaxPerUser', options.clusterMaxPerUser, maxPerUser),
      keyPrefix,
      leaseTtlMs,
      heartbeatMs,
      onStoreError: oneOf('onStoreError', options.onStoreError, ['allow', 'deny'] as const, 'deny'),
      storeTimeoutMs: duration('storeTimeoutMs', options.storeTimeoutMs, 500, 1),
    },
  };
}

import {
  PortcullisConfigError,
  REDIS_CLIENT_EXPECTED,
  checkOptions,
  isRedisClient,
  opt,
  type OptionSpec,
  type RedisClient,
  type StoreErrorPolicy,
} from '@portcullis/core';

/** What to do with a user already at `maxPerUser` on this node. */
export type PerUserPolicy = 'refuse-new' | 'disconnect-oldest';

export type { StoreErrorPolicy } from '@portcullis/core';

export interface ConnectionLimitGuardOptions {
  /** Connections on this node, every namespace the guard is installed on. Default 10 000; `false`: no cap. */
  maxConnections?: number | false;
  /** Connections per client IP (IPv6 per `ipv6Subnet`) on this node. Default 100; `false`: no cap. */
  maxPerIp?: number | false;
  /** IPv6 prefix length one client is keyed by, since a host owns a whole /64. Default 64. */
  ipv6Subnet?: number;
  /** Connections per authenticated user (`user.id` of the context) on this node. Default 20; `false`: no cap. */
  maxPerUser?: number | false;
  /**
   * A user at `maxPerUser`: `'refuse-new'` (default) refuses the new connection;
   * `'disconnect-oldest'` lets it in and disconnects that user's oldest one on this node.
   */
  perUserPolicy?: PerUserPolicy;
  /**
   * Above this many connections the node degrades gracefully: new anonymous connections,
   * and those from an IP that already holds `softMaxPerIp`, are refused, so known users
   * still get in up to `maxConnections`. Default 90 % of `maxConnections`; `false` turns
   * it off.
   */
  softLimit?: number | false;
  /**
   * Above `softLimit`, an IP holding this many connections gets no more. Default
   * `maxPerIp / 10` (at least 1); `false`: no IP counts as crowded.
   */
  softMaxPerIp?: number | false;
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
  redis?: RedisClient;
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
   * Places given back by sockets that leave go to Redis together, at most this long
   * after the socket left, in one command (a node's own next handshake for the same
   * user sends them at once). Other nodes may see a place taken that long after it was
   * freed. `0` gives each back on its own. Default 10.
   */
  releaseBatchMs?: number;
  /**
   * When Redis fails or is slower than `storeTimeoutMs`: `'deny'` (default) refuses the
   * handshake with `INTERNAL` (retryable); `'allow'` lets it in on the node's own caps
   * and records a `warning` event. Never answered with `CONNECTION_LIMIT`.
   */
  onStoreError?: StoreErrorPolicy;
  /** A Redis command slower than this counts as failed (`onStoreError` decides). Default 500. */
  storeTimeoutMs?: number;
}

export interface ResolvedOptions {
  /** `Infinity` stands for `false` (no cap) from here on: one comparison per check. */
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
  readonly redis: RedisClient;
  readonly maxPerUser: number;
  readonly keyPrefix: string;
  readonly leaseTtlMs: number;
  readonly heartbeatMs: number;
  readonly releaseBatchMs: number;
  readonly onStoreError: StoreErrorPolicy;
  readonly storeTimeoutMs: number;
}

export const DEFAULTS = {
  maxConnections: 10_000,
  maxPerIp: 100,
  ipv6Subnet: 64,
  maxPerUser: 20,
  retryAfterMs: 5000,
  pendingTimeoutMs: 45_000,
  keyPrefix: 'portcullis:cl',
  leaseTtlMs: 30_000,
  releaseBatchMs: 10,
  storeTimeoutMs: 500,
} as const;

/**
 * A count of connections. `Infinity`, the old spelling of "no cap", is refused with the
 * new one, so an upgrade fails at start-up rather than meaning something else.
 */
function count(min: number, whenInfinity: string, off: boolean): OptionSpec {
  const spec = off ? opt.off(opt.integer({ min })) : opt.integer({ min });
  return {
    ...spec,
    check(value, path) {
      if (value === Infinity) {
        throw new PortcullisConfigError(
          'PORTCULLIS_CONFIG_INVALID_TYPE',
          path,
          `Infinity no longer means no cap: ${whenInfinity}.`,
        );
      }
      spec.check(value, path);
    },
  };
}

const limit = (min = 1): OptionSpec => count(min, 'write false', true);

const CLUSTER_ONLY = [
  'clusterMaxPerUser',
  'keyPrefix',
  'leaseTtlMs',
  'heartbeatMs',
  'releaseBatchMs',
  'onStoreError',
  'storeTimeoutMs',
] as const;

type Raw = Readonly<Record<string, unknown>>;
const numberOr = (value: unknown, fallback: number): number =>
  typeof value === 'number' ? value : fallback;

/** Every option `connectionLimitGuard` takes, for the preset and for tools. */
export const connectionLimitGuardOptionsSpec: OptionSpec = opt.object(
  {
    maxConnections: limit(),
    maxPerIp: limit(),
    ipv6Subnet: opt.integer({ min: 1, max: 128 }),
    maxPerUser: limit(),
    perUserPolicy: opt.oneOf<PerUserPolicy>(['refuse-new', 'disconnect-oldest']),
    softLimit: limit(0),
    softMaxPerIp: limit(),
    retryAfterMs: opt.duration({ min: 0 }),
    pendingTimeoutMs: opt.duration({ min: 1 }),
    redis: opt.custom(REDIS_CLIENT_EXPECTED, isRedisClient),
    clusterMaxPerUser: count(1, 'leave redis out for no cluster-wide cap', false),
    keyPrefix: opt.string(),
    leaseTtlMs: opt.duration({ min: 1000 }),
    heartbeatMs: opt.duration({ min: 100 }),
    releaseBatchMs: opt.duration({ min: 0, max: 1000 }),
    onStoreError: opt.oneOf<StoreErrorPolicy>(['deny', 'allow']),
    storeTimeoutMs: opt.duration({ min: 1 }),
  },
  [
    (value: Raw) => {
      const { softLimit, maxConnections } = value;
      if (typeof softLimit !== 'number') return undefined;
      const max =
        maxConnections === false ? Infinity : numberOr(maxConnections, DEFAULTS.maxConnections);
      return softLimit > max
        ? `softLimit (${softLimit}) must not exceed maxConnections (${max}).`
        : undefined;
    },
    (value: Raw) => {
      if (value.redis !== undefined) return undefined;
      const stray = CLUSTER_ONLY.filter((key) => value[key] !== undefined);
      return stray.length === 0
        ? undefined
        : `${stray.join(', ')} only apply with a redis client; pass redis too.`;
    },
    (value: Raw) =>
      value.redis !== undefined &&
      value.clusterMaxPerUser === undefined &&
      value.maxPerUser === false
        ? 'clusterMaxPerUser defaults to maxPerUser, which is false (no cap): set clusterMaxPerUser, or leave redis out.'
        : undefined,
    (value: Raw) => {
      if (value.redis === undefined) return undefined;
      const ttl = numberOr(value.leaseTtlMs, DEFAULTS.leaseTtlMs);
      const heartbeat = numberOr(value.heartbeatMs, Math.floor(ttl / 3));
      return heartbeat > ttl / 2
        ? `heartbeatMs (${heartbeat}) must be at most half of leaseTtlMs (${ttl}), or live connections expire between refreshes.`
        : undefined;
    },
  ],
);

/** `false` is no cap; absent is the default. */
const capOf = (value: number | false | undefined, fallback: number): number =>
  value === false ? Infinity : (value ?? fallback);

/** Checks the options once, in the factory, and fills in the defaults. */
export function resolveOptions(options: Readonly<ConnectionLimitGuardOptions>): ResolvedOptions {
  checkOptions(connectionLimitGuardOptionsSpec, options, 'connectionLimitGuard');
  const maxConnections = capOf(options.maxConnections, DEFAULTS.maxConnections);
  const maxPerIp = capOf(options.maxPerIp, DEFAULTS.maxPerIp);
  const maxPerUser = capOf(options.maxPerUser, DEFAULTS.maxPerUser);
  const local = {
    maxConnections,
    maxPerIp,
    ipv6Subnet: options.ipv6Subnet ?? DEFAULTS.ipv6Subnet,
    maxPerUser,
    perUserPolicy: options.perUserPolicy ?? 'refuse-new',
    softLimit: capOf(
      options.softLimit,
      maxConnections === Infinity ? Infinity : Math.floor(maxConnections * 0.9),
    ),
    softMaxPerIp: capOf(
      options.softMaxPerIp,
      maxPerIp === Infinity ? Infinity : Math.max(1, Math.floor(maxPerIp / 10)),
    ),
    retryAfterMs: options.retryAfterMs ?? DEFAULTS.retryAfterMs,
    pendingTimeoutMs: options.pendingTimeoutMs ?? DEFAULTS.pendingTimeoutMs,
  } satisfies Omit<ResolvedOptions, 'cluster'>;
  if (options.redis === undefined) return { ...local, cluster: undefined };
  const leaseTtlMs = options.leaseTtlMs ?? DEFAULTS.leaseTtlMs;
  return {
    ...local,
    cluster: {
      redis: options.redis,
      maxPerUser: options.clusterMaxPerUser ?? maxPerUser,
      keyPrefix: options.keyPrefix ?? DEFAULTS.keyPrefix,
      leaseTtlMs,
      heartbeatMs: options.heartbeatMs ?? Math.floor(leaseTtlMs / 3),
      releaseBatchMs: options.releaseBatchMs ?? DEFAULTS.releaseBatchMs,
      onStoreError: options.onStoreError ?? 'deny',
      storeTimeoutMs: options.storeTimeoutMs ?? DEFAULTS.storeTimeoutMs,
    },
  };
}

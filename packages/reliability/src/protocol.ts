import type {
  ConnectionLimitGuardOptions,
  ConnectionLimitStats,
  IdleTimeoutGuardOptions,
  RateLimitGuardOptions,
  SizeLimitGuardOptions,
} from 'portcullis';

/**
 * What a child server is started with (JSON, through the environment). Everything not
 * given keeps the preset's defaults: the point is to test the preset as users get it.
 */
export interface ChildServerConfig {
  /** Redis for the rate limits, the connection caps, the denylist and the adapter. */
  redisUrl?: string;
  /** Key prefix of this run in Redis, so runs never share counts. */
  redisPrefix?: string;
  /** Socket.io options set on top of `secureServerOptions()` (timeouts). */
  engine?: {
    connectTimeout?: number;
    pingInterval?: number;
    pingTimeout?: number;
    upgradeTimeout?: number;
  };
  /** Node's HTTP server timeouts (`http.createServer` options, and `server.timeout`). */
  http?: {
    /** Socket inactivity timeout (`server.timeout`); 0, Node's default, is none. */
    timeout?: number;
    headersTimeout?: number;
    requestTimeout?: number;
    keepAliveTimeout?: number;
    connectionsCheckingInterval?: number;
  };
  rateLimit?: Omit<RateLimitGuardOptions, 'redis' | 'now' | 'keyPrefix'>;
  connectionLimit?: Omit<ConnectionLimitGuardOptions, 'redis' | 'keyPrefix'>;
  sizeLimit?: SizeLimitGuardOptions;
  idleTimeout?: Omit<IdleTimeoutGuardOptions, 'now' | 'countsAsActivity'>;
  logoutRevoke?: { onStoreError?: 'allow' | 'deny' };
  /** How long a store's Redis command may take before it fails (ioredis `commandTimeout`). */
  redisCommandTimeoutMs?: number;
  /**
   * `maxRetriesPerRequest` of the adapter's Redis clients. Default `null` (never fail a
   * command); a number reproduces the adapter's unhandled rejection during an outage.
   */
  adapterRetriesPerRequest?: number | null;
}

/** Counts a child server reports over IPC. */
export interface ServerStats {
  pid: number;
  uptimeMs: number;
  /** `process.memoryUsage()` at the time of the request (after a GC when asked). */
  memory: NodeJS.MemoryUsage;
  /** Peak resident set size of the process so far, in bytes. */
  maxRssBytes: number;
  /** `process.getActiveResourcesInfo()`, counted by kind. */
  activeResources: Record<string, number>;
  /** engine.io connections, sockets and adapter entries of the main namespace. */
  engineClients: number;
  sockets: number;
  rooms: number;
  socketRooms: number;
  /** Open TCP connections of the HTTP server. */
  httpConnections: number;
  connectionLimit: ConnectionLimitStats | undefined;
  /** Keys the in-memory rate-limit windows hold. */
  rateLimitKeys: number;
  /** Users with a socket in this node's revocation index. */
  revocationUsers: number;
  /** Security events seen, by `type` or `type:code`. */
  securityEvents: Record<string, number>;
  /** Connections the chat app saw, and messages it handled. */
  app: { connections: number; messages: number };
  /** Status of the Redis clients (`ready`, `reconnecting`, …), when Redis is used. */
  redis: Record<string, string>;
}

/** A request from the parent; `id` pairs it with the reply. */
export type ChildRequest =
  | { id: number; cmd: 'stats'; gc?: boolean }
  | { id: number; cmd: 'revokeUser'; userId: string }
  | { id: number; cmd: 'broadcast'; room: string; event: string; payload: unknown }
  | { id: number; cmd: 'socketsOfUser'; userId: string }
  | { id: number; cmd: 'close' };

/** Messages from the child. */
export type ChildMessage =
  | { type: 'ready'; port: number; pid: number }
  | { type: 'reply'; id: number; result?: unknown; error?: string }
  | { type: 'fatal'; origin: string; message: string; stack?: string }
  | { type: 'warning'; name: string; message: string };

/** Where the child reads its configuration. */
export const CHILD_CONFIG_ENV = 'PORTCULLIS_RELIABILITY_CONFIG';

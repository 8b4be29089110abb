/**
 * A Socket.io server with the whole Portcullis preset and a chat app, run as a child
 * process so a crash, an unhandled rejection or a leak shows in this process alone.
 * Started by `startServerProcess()`; talks to its parent over IPC (see ../protocol.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import {
  SecurityEventBus,
  createDenylist,
  portcullis,
  redisDenylistStore,
  revocationIndexOf,
  secureServerOptions,
} from 'portcullis';
import { ORIGIN, SECRET } from '../identity';
import {
  CHILD_CONFIG_ENV,
  type ChildMessage,
  type ChildRequest,
  type ChildServerConfig,
} from '../protocol';
import { CHAT_SCHEMAS, installChatApp, type AppCounters } from './chat-app';
import { collectStats } from './stats';

function send(message: ChildMessage): void {
  process.send?.(message);
}

// Report, never swallow: the process still dies the way Node decides (the default), and
// the parent learns why even if it reads the exit code only.
process.on('uncaughtExceptionMonitor', (error: Error, origin: string) => {
  send({ type: 'fatal', origin, message: String(error?.message), stack: error?.stack });
});
process.on('warning', (warning: Error) => {
  send({ type: 'warning', name: warning.name, message: warning.message });
});

const config = JSON.parse(process.env[CHILD_CONFIG_ENV] ?? '{}') as ChildServerConfig;
const prefix = config.redisPrefix ?? `portcullis-reliability-${process.pid}`;

const redisClients: Record<string, Redis> = {};

/**
 * The client the guards' stores use fails fast during an outage, as their READMEs advise
 * (a command waits at most `commandTimeout` instead of sitting in the offline queue):
 * every guard catches its store's failures and applies its policy.
 *
 * The adapter's clients never fail a command: @socket.io/redis-adapter 8.3 discards the
 * promise of each `publish`, so a rejected publish (timeout, retries exhausted) is an
 * unhandled rejection that ends the process. With `maxRetriesPerRequest: null` a
 * publish waits in ioredis' offline queue until Redis is back.
 */
function redisClient(name: string, role: 'store' | 'adapter'): Redis {
  const client = new Redis(config.redisUrl as string, {
    ...(role === 'store'
      ? { commandTimeout: config.redisCommandTimeoutMs ?? 1000, maxRetriesPerRequest: 1 }
      : { maxRetriesPerRequest: config.adapterRetriesPerRequest ?? null }),
    // Stacks that name the caller of a failed command (what a crash report needs).
    showFriendlyErrorStack: true,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  // ioredis reports each failed reconnect as an `error` event; an application logs it.
  client.on('error', () => undefined);
  redisClients[name] = client;
  return client;
}

const bus = new SecurityEventBus();
const securityEvents = new Map<string, number>();
bus.on((event) => {
  const key = [event.type, event.code, event.guard].filter((part) => part !== undefined).join(':');
  securityEvents.set(key, (securityEvents.get(key) ?? 0) + 1);
});

const { timeout: socketTimeout, ...httpOptions } = config.http ?? {};
const http = createServer(httpOptions);
if (socketTimeout !== undefined) http.timeout = socketTimeout;
const io = new Server(
  http,
  secureServerOptions({
    origins: [ORIGIN],
    trustedProxies: ['loopback'],
    overrides: config.engine,
  }),
);

let store: Redis | undefined;
if (config.redisUrl !== undefined) {
  store = redisClient('store', 'store');
  const pub = redisClient('pub', 'adapter');
  const sub = redisClient('sub', 'adapter');
  io.adapter(createAdapter(pub, sub, { key: `${prefix}:adapter` }));
}

const guards = portcullis(io, {
  origins: [ORIGIN],
  trustedProxies: ['loopback'],
  auth: { secret: SECRET, algorithms: ['HS256'] },
  authorize: { rules: { 'admin:broadcast': { roles: ['admin'] } }, unknown: 'allow' },
  validate: { schemas: CHAT_SCHEMAS },
  sanitize: true,
  requireTLS: false,
  bus,
  rateLimit: {
    ...config.rateLimit,
    ...(store === undefined ? {} : { redis: store, keyPrefix: `${prefix}:rl` }),
  },
  connectionLimit: {
    ...config.connectionLimit,
    ...(store === undefined ? {} : { redis: store, keyPrefix: `${prefix}:cl` }),
  },
  ...(config.sizeLimit === undefined ? {} : { sizeLimit: config.sizeLimit }),
  ...(config.idleTimeout === undefined ? {} : { idleTimeout: config.idleTimeout }),
  logoutRevoke: {
    ...config.logoutRevoke,
    ...(store === undefined
      ? {}
      : {
          denylist: createDenylist({
            store: redisDenylistStore(store, { prefix: `${prefix}:revoked:` }),
          }),
        }),
  },
});

const counters: AppCounters = { connections: 0, messages: 0 };
installChatApp(io, counters);

async function answer(request: ChildRequest): Promise<unknown> {
  switch (request.cmd) {
    case 'stats':
      return collectStats({
        io,
        http,
        guards,
        counters,
        securityEvents,
        redisClients,
        gc: request.gc,
      });
    case 'revokeUser':
      await guards.revocation?.revokeUser(request.userId);
      return null;
    case 'broadcast':
      io.to(request.room).emit(request.event, request.payload);
      return null;
    case 'socketsOfUser':
      // This node's sockets of the user, from the revocation index.
      return revocationIndexOf(io).ofUser(request.userId).length;
    case 'close':
      await shutDown();
      return null;
  }
}

async function shutDown(): Promise<void> {
  await guards.connectionLimit?.close?.();
  await new Promise<void>((resolve) => {
    io.close(() => resolve());
    http.closeAllConnections();
  });
  for (const client of Object.values(redisClients)) client.disconnect();
}

process.on('message', (request: ChildRequest) => {
  answer(request).then(
    (result) => {
      send({ type: 'reply', id: request.id, result });
      if (request.cmd === 'close') process.disconnect?.();
    },
    (error: unknown) =>
      send({
        type: 'reply',
        id: request.id,
        error: error instanceof Error ? error.message : String(error),
      }),
  );
});
// The parent went away: leave too, whatever it was doing.
process.on('disconnect', () => process.exit(0));

http.listen(0, '127.0.0.1', () => {
  send({ type: 'ready', port: (http.address() as AddressInfo).port, pid: process.pid });
});

import {
  SecurityEventBus,
  configurePortcullis,
  getContext,
  handshakeGuard,
  usePacketGuards,
  type AnyServer,
  type CoreOptions,
  type HandshakeMiddleware,
  type PacketGuard,
  type SecurityEvent,
} from '@portcullis/core';
import { startServer, type TestServer } from '@portcullis/testing';
import type { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';

/**
 * Stands in for `@portcullis/auth`: trusts `auth.userId` and sets the verified user in
 * the context, as the real auth guard does after checking a token. Test-only.
 */
export const testAuth: HandshakeMiddleware = handshakeGuard('test-auth', (socket) => {
  const id: unknown = socket.handshake.auth.userId;
  if (typeof id === 'string') getContext(socket).user = { id, roles: [], claims: {} };
});

export function collectEvents(bus: SecurityEventBus): SecurityEvent[] {
  const events: SecurityEvent[] = [];
  bus.on((event) => {
    events.push(event);
  });
  return events;
}

// '1' is where Socket.io dispatches an event sent with the number 1 as its name.
export const EVENTS = ['chat:send', 'file:upload', 'typing', 'forbidden', '1'] as const;

export interface GuardedServer {
  readonly server: TestServer<Server>;
  readonly events: SecurityEvent[];
  /** How many times each handler ran. */
  readonly handled: Map<string, number>;
}

export interface GuardedServerOptions {
  /** Core settings of the server: its clock (`now`), its `escalation`. */
  core?: Omit<CoreOptions, 'bus' | 'trustedProxies'>;
  handshake?: readonly HandshakeMiddleware[];
  packetGuards?: readonly PacketGuard[];
  serverOptions?: Partial<ServerOptions>;
  extraSetup?: (io: AnyServer) => void;
}

/** A real server with the given guards and an acking handler for each of `EVENTS`. */
export async function guardedServer(options: GuardedServerOptions = {}): Promise<GuardedServer> {
  const bus = new SecurityEventBus();
  const events = collectEvents(bus);
  const handled = new Map<string, number>();
  const server = await startServer({
    ...(options.serverOptions === undefined ? {} : { serverOptions: options.serverOptions }),
    setup(io) {
      configurePortcullis(io, { ...options.core, bus, trustedProxies: ['loopback'] });
      for (const middleware of options.handshake ?? []) io.use(middleware);
      usePacketGuards(io, ...(options.packetGuards ?? []));
      options.extraSetup?.(io);
      io.on('connection', (socket) => {
        for (const event of EVENTS) {
          socket.on(event, (...args: unknown[]) => {
            handled.set(event, (handled.get(event) ?? 0) + 1);
            const ack = args[args.length - 1];
            if (typeof ack === 'function') (ack as (reply: unknown) => void)({ ok: true });
          });
        }
      });
    },
  });
  return { server, events, handled };
}

/** A clock tests move by hand; real sockets keep running on real time. */
export function manualClock(start = 1_700_000_000_000): {
  now: () => number;
  advance(ms: number): void;
} {
  let current = start;
  return {
    now: () => current,
    advance(ms: number) {
      current += ms;
    },
  };
}

export interface ErrorReply {
  error: {
    code: string;
    message: string;
    retryable: boolean;
    retryAfterMs?: number;
    info?: Record<string, unknown>;
  };
}

export function isErrorReply(value: unknown): value is ErrorReply {
  return typeof value === 'object' && value !== null && 'error' in value;
}

/** How many times Redis ran a script (EVALSHA or EVAL), from its own statistics. */
export async function scriptCalls(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  let calls = 0;
  for (const match of stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g))
    calls += Number(match[1]);
  return calls;
}

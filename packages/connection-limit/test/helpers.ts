import {
  GuardError,
  SecurityEventBus,
  configurePortcullis,
  getContext,
  type AnySocket,
  type HandshakeMiddleware,
} from '@portcullis/core';
import {
  connectClient,
  createClient,
  expectConnectError,
  startServer,
  type ClientOptions,
  type ClientSocket,
  type ConnectError,
  type TestServer,
} from '@portcullis/testing';
import type { Server, ServerOptions } from 'socket.io';
import {
  connectionLimitGuard,
  type ConnectionLimitGuard,
  type ConnectionLimitGuardOptions,
} from '../src';

export interface LimitedServer {
  server: TestServer;
  guard: ConnectionLimitGuard;
  bus: SecurityEventBus;
}

export interface LimitedServerOptions {
  serverOptions?: Partial<ServerOptions>;
  /** An `io.use` middleware installed after the guard (e.g. a revocation check). */
  after?: HandshakeMiddleware;
  /** Runs on the server before the guard is installed. */
  before?: (io: Server) => void;
  /**
   * A check between `guard.acquireEarly` and the guard, as the preset puts its per-user
   * rate limit and revocation check there (needs `redis`).
   */
  between?: HandshakeMiddleware;
}

/**
 * A server that trusts `X-Forwarded-For` from loopback (so tests can come from many
 * addresses), authenticates a test user from `auth.user` before the guard, the way an
 * auth guard sets the context, and installs the guard.
 */
export async function limitedServer(
  options: ConnectionLimitGuardOptions,
  extra: LimitedServerOptions = {},
): Promise<LimitedServer> {
  const guard = connectionLimitGuard(options);
  const bus = new SecurityEventBus();
  const server = await startServer({
    serverOptions: extra.serverOptions,
    setup(io) {
      configurePortcullis(io, { trustedProxies: ['loopback'], bus });
      extra.before?.(io);
      io.use((socket, next) => {
        const user: unknown = (socket.handshake.auth as { user?: unknown }).user;
        if (typeof user === 'string') {
          getContext(socket).user = { id: user, roles: [], claims: {} };
        }
        next();
      });
      if (extra.between !== undefined) {
        if (guard.acquireEarly === undefined) throw new Error('acquireEarly needs redis');
        io.use(guard.acquireEarly);
        io.use(extra.between);
      }
      guard.install(io);
      if (extra.after !== undefined) io.use(extra.after);
      io.on('connection', (socket) => {
        socket.on('ping', (ack: (reply: string) => void) => ack('pong'));
      });
    },
  });
  return { server, guard, bus };
}

export interface Identity {
  ip?: string;
  user?: string;
  /** Read by `laterGuard()`: `'revoked'` is refused, `'held'` waits for the test. */
  token?: string;
}

export function clientOptions(identity: Identity, more: ClientOptions = {}): ClientOptions {
  const auth: Record<string, string> = {};
  if (identity.user !== undefined) auth.user = identity.user;
  if (identity.token !== undefined) auth.token = identity.token;
  return {
    ...more,
    extraHeaders: identity.ip === undefined ? {} : { 'x-forwarded-for': identity.ip },
    auth,
  };
}

export function connectAs(url: string, identity: Identity = {}): Promise<ClientSocket> {
  return connectClient(url, clientOptions(identity));
}

export function refusedAs(url: string, identity: Identity = {}): Promise<ConnectError> {
  return expectConnectError(url, clientOptions(identity));
}

export function createAs(url: string, identity: Identity = {}, more: ClientOptions = {}) {
  return createClient(url, clientOptions(identity, more));
}

/** Resolves once `condition()` holds; rejects after `timeoutMs` with what it saw last. */
export async function waitUntil(
  condition: () => boolean,
  describe: () => unknown,
  timeoutMs = 8000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met after ${timeoutMs} ms: ${JSON.stringify(describe())}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Cuts the client's TCP connection without a close handshake, as a crash would. */
export function killTransport(client: ClientSocket): void {
  const transport = (
    client.io.engine as unknown as { transport?: { ws?: { terminate?: () => void } } }
  ).transport;
  const terminate = transport?.ws?.terminate;
  if (typeof terminate !== 'function') throw new Error('no WebSocket transport to kill');
  terminate.call(transport?.ws);
}

/** A handshake `laterGuard()` is holding: `next()` lets it go on, `next(error)` refuses it. */
export interface HeldHandshake {
  readonly socket: AnySocket;
  readonly next: (err?: Error) => void;
}

export interface LaterGuard {
  /** Install after the connection-limit guard (`limitedServer(options, { after })`). */
  readonly middleware: HandshakeMiddleware;
  /** Handshakes with token `'held'` that reached it and have not been let go, oldest first. */
  readonly held: HeldHandshake[];
  /** Resolves once `count` handshakes are held. */
  holding(count: number): Promise<void>;
}

/**
 * A stand-in for a guard installed after connection-limit, such as the revocation check:
 * it refuses token `'revoked'` with `SESSION_REVOKED`, holds token `'held'` until the test
 * lets it go, and accepts anything else.
 */
export function laterGuard(): LaterGuard {
  const held: HeldHandshake[] = [];
  const revoked = new GuardError('SESSION_REVOKED');
  const middleware: HandshakeMiddleware = (socket, next) => {
    const token: unknown = (socket.handshake.auth as { token?: unknown }).token;
    if (token === 'revoked') next(revoked);
    else if (token === 'held') held.push({ socket, next });
    else next();
  };
  return {
    middleware,
    held,
    holding: (count) =>
      waitUntil(
        () => held.length >= count,
        () => ({ held: held.length, wanted: count }),
      ),
  };
}

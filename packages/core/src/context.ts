import type { AnySocket, PortcullisSocketData } from './socket-types';
import { resolveClientIp } from './client-ip';
import type { FixedWindow } from './fixed-window';
import { settingsOf } from './settings';

/** The authenticated identity, set by `@portcullis/auth`, read by the other guards. */
export interface PortcullisUser {
  readonly id: string;
  readonly roles: readonly string[];
  readonly sessionId?: string;
  /** The credential's own id (a JWT's `jti`), for revoking one token. */
  readonly tokenId?: string;
  /** Epoch milliseconds at which the credential was issued (a JWT's `iat`). */
  readonly issuedAt?: number;
  /** Epoch milliseconds at which the credential that opened the socket expires. */
  readonly expiresAt?: number;
  /** Verified claims; never the raw token. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * One object per socket that every guard reads and writes. It lives in
 * `socket.data.portcullis`, so it survives connection state recovery and is visible
 * through `fetchSockets()` on every node. Plain data only: it is serialised across nodes.
 */
export interface PortcullisContext {
  /** The client's address, resolved once at the handshake (trust-proxy aware). */
  ip: string;
  /** The `Origin` header as the client sent it, when it sent one. */
  origin?: string;
  /** Epoch milliseconds of the handshake. */
  connectedAt: number;
  /** Epoch milliseconds of the last application packet. */
  lastActivityAt: number;
  user?: PortcullisUser;
  /** Weighted refusals in the current escalation window (core's `weighRefusal`). */
  refusals?: FixedWindow;
  /**
   * Rooms joined through `@portcullis/rooms`, with the rights granted (bit 1: join,
   * bit 2: publish). Absent until the first such join.
   */
  roomGrants?: Record<string, number>;
  /** Joins in the current minute (`@portcullis/rooms`'s per-socket join rate). */
  roomJoins?: FixedWindow;
}

function originOf(socket: AnySocket): string | undefined {
  const origin = socket.handshake.headers.origin;
  return typeof origin === 'string' && origin.length > 0 && origin.length <= 2048
    ? origin
    : undefined;
}

/**
 * Returns the socket's context, creating it on first use. Every guard calls this rather
 * than reading `socket.data` itself, so whichever guard runs first sets it up.
 */
export function getContext(socket: AnySocket): PortcullisContext {
  const data = (socket.data ?? (socket.data = {})) as PortcullisSocketData;
  const existing = data.portcullis;
  if (existing !== undefined) return existing;
  const settings = settingsOf(socket);
  const now = settings.now();
  // Every field most sockets get in one literal, `origin` and `user` `undefined` until
  // known: V8 lays them all out in the object itself. Added one by one afterwards they
  // needed a second array, about 24 bytes more per socket.
  const context: PortcullisContext = {
    ip: resolveClientIp(
      socket.handshake.address,
      socket.handshake.headers['x-forwarded-for'],
      settings.trustedProxies,
    ),
    origin: originOf(socket),
    connectedAt: now,
    lastActivityAt: now,
    user: undefined,
  };
  data.portcullis = context;
  return context;
}

/** Reads the context without creating it (e.g. from a `fetchSockets()` result). */
export function peekContext(socket: { data?: unknown }): PortcullisContext | undefined {
  const data = socket.data as PortcullisSocketData | undefined;
  return data?.portcullis;
}

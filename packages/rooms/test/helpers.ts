import { SignJWT, jwtVerify } from 'jose';
import type { Server } from 'socket.io';
import {
  GuardError,
  configurePortcullis,
  getContext,
  handshakeGuard,
  usePacketGuards,
  type SecurityEventBus,
} from '@portcullis/core';
import { startServer } from '@portcullis/testing';
import { roomsGuard, type RoomsGuard, type RoomsGuardOptions } from '../src';

const SECRET = new TextEncoder().encode('rooms-test-secret-0123456789abcdef!');

/** An HS256 token as an issuer would sign it; `ttlSeconds` may be negative. */
export async function sign(
  claims: Record<string, unknown> & { sub: string },
  ttlSeconds = 600,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(SECRET);
}

/** What the auth guard does: verify, and set the user (with its claims) in the context. */
export const verifyClaims = async (token: string): Promise<Record<string, unknown>> =>
  (await jwtVerify(token, SECRET, { algorithms: ['HS256'] })).payload;

export const testAuthentication = handshakeGuard('test-auth', async (socket) => {
  const token = (socket.handshake.auth as { token?: unknown }).token;
  if (typeof token !== 'string') return new GuardError('AUTH_REQUIRED');
  try {
    const claims = await verifyClaims(token);
    getContext(socket).user = {
      id: String(claims.sub),
      roles: Array.isArray(claims.roles) ? (claims.roles as string[]) : [],
      claims,
    };
    return undefined;
  } catch {
    return new GuardError('AUTH_INVALID');
  }
});

export interface RoomsServer {
  url: string;
  io: Server;
  rooms: RoomsGuard;
  /** `chat:send` payloads that reached the handler, with the room they named. */
  handled: unknown[];
}

/**
 * A server with the rooms guard on every socket, `room:join` / `room:leave` on, and a
 * `chat:send` handler that broadcasts `{ roomId, text }` to the room it names.
 */
export async function roomsServer(
  options: RoomsGuardOptions = {},
  setup: (io: Server) => void = () => undefined,
  bus?: SecurityEventBus,
): Promise<RoomsServer> {
  const handled: unknown[] = [];
  const rooms = roomsGuard({
    events: true,
    publish: { 'chat:send': 'roomId' },
    roomTokens: { verify: verifyClaims, warnBeforeMs: 500 },
    ...options,
  });
  const server = await startServer<Server>({
    setup(io) {
      if (bus !== undefined) configurePortcullis(io, { bus });
      setup(io);
      io.use(testAuthentication);
      rooms.install(io);
      usePacketGuards(io, rooms);
      io.on('connection', (socket) => {
        socket.on(
          'chat:send',
          (message: { roomId: string; text: string }, ack?: (r: unknown) => void) => {
            handled.push(message);
            socket.to(message.roomId).emit('chat:message', message);
            ack?.({ ok: true });
          },
        );
      });
    },
  });
  return { url: server.url, io: server.io, rooms, handled };
}

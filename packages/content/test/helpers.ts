import type { Server } from 'socket.io';
import {
  GuardError,
  configurePortcullis,
  getContext,
  handshakeGuard,
  usePacketGuards,
  type PacketGuard,
  type SecurityEventBus,
} from '@portcullis/core';
import { startServer } from '@portcullis/testing';

/** Stands in for authentication: `auth.user` becomes the verified user. */
const testUser = handshakeGuard('test-auth', (socket) => {
  const user = (socket.handshake.auth as { user?: unknown }).user;
  if (typeof user === 'string') getContext(socket).user = { id: user, roles: [], claims: {} };
  return user === undefined || typeof user === 'string'
    ? undefined
    : new GuardError('AUTH_INVALID');
});

export interface GuardedServer {
  url: string;
  io: Server;
  handled: unknown[];
}

/** A server with these packet guards and an echoing `chat:send` handler. */
export async function guardedServer(
  guards: PacketGuard[],
  options: { bus?: SecurityEventBus; setup?: (io: Server) => void } = {},
): Promise<GuardedServer> {
  const handled: unknown[] = [];
  const server = await startServer<Server>({
    setup(io) {
      if (options.bus !== undefined) configurePortcullis(io, { bus: options.bus });
      options.setup?.(io);
      io.use(testUser);
      usePacketGuards(io, ...guards);
      io.on('connection', (socket) => {
        for (const event of ['chat:send', 'vote:cast', 'note:add']) {
          socket.on(event, (...args: unknown[]) => {
            const ack = args[args.length - 1];
            handled.push(args[0]);
            if (typeof ack === 'function') ack({ ok: true });
          });
        }
      });
    },
  });
  return { url: server.url, io: server.io, handled };
}

export function reasonOf(reply: unknown): string | undefined {
  const error = (reply as { error?: { code?: string; info?: { reason?: string } } }).error;
  return error === undefined ? undefined : `${error.code}:${error.info?.reason ?? ''}`;
}

import type { HandshakeMiddleware, PacketGuard } from '@portcullis/core';
import {
  connectionRateLimitGuard,
  type ConnectionRateLimitGuard,
  type ConnectionRateLimitGuardOptions,
} from './connection-guard';
import { errorRateLimitGuard, type ErrorRateLimitGuardOptions } from './error-rate-guard';
import {
  messageRateLimitGuard,
  type MessageRateLimitGuard,
  type MessageRateLimitGuardOptions,
} from './message-guard';
import type { RateLimitStoreOptions } from './store-options';

type Own<T> = Omit<T, keyof RateLimitStoreOptions>;

export interface RateLimitGuardOptions extends RateLimitStoreOptions {
  /** Connection attempts per IP and per user. `false` leaves them out. */
  connections?: Own<ConnectionRateLimitGuardOptions> | false;
  /** Messages per socket, user, event and overall. `false` leaves them out. */
  messages?: Own<MessageRateLimitGuardOptions> | false;
  /** Disconnect sockets refused too often by any guard. `false` leaves it out. */
  errors?: Omit<ErrorRateLimitGuardOptions, 'dryRun' | 'now'> | false;
}

/** The pieces, each installed where it belongs in the chain. */
export interface RateLimitGuard {
  /** Per IP: install before authentication, so a flood is refused before any token is checked. */
  readonly connections: ConnectionRateLimitGuard;
  /** Per user: install after authentication (it needs `user` in the context). */
  readonly userConnections: ConnectionRateLimitGuard;
  /** Messages; `undefined` when `messages: false`. */
  readonly messages: MessageRateLimitGuard | undefined;
  /** Error rate; `undefined` when `errors: false`. */
  readonly errors: PacketGuard | undefined;
  /** The packet guards that are on, in order: `usePacketGuards(io, ...limits.packetGuards)`. */
  readonly packetGuards: readonly PacketGuard[];
}

/** Stands in for a piece that is off, so `io.use(limits.connections)` always works. */
function letThrough(): ConnectionRateLimitGuard {
  const middleware: HandshakeMiddleware = function rateLimitOff(_socket, next) {
    next();
  };
  return Object.assign(middleware, { trackedKeys: () => 0, reset: () => undefined });
}

/**
 * Every limit of this package with one set of store options (Redis, insurance,
 * `onStoreError`, dry-run). Each piece is also available alone.
 *
 * @example
 * const limits = rateLimitGuard({ redis });
 * io.use(limits.connections);
 * io.use(auth);
 * io.use(limits.userConnections);
 * usePacketGuards(io, ...limits.packetGuards);
 */
export function rateLimitGuard(options: Readonly<RateLimitGuardOptions> = {}): RateLimitGuard {
  const { connections = {}, messages = {}, errors = {}, ...store } = options;
  const connectionGuards =
    connections === false
      ? { ip: letThrough(), user: letThrough() }
      : {
          ip: connectionRateLimitGuard({ ...store, ...connections, perUser: false }),
          user:
            connections.perUser === false
              ? letThrough()
              : connectionRateLimitGuard({ ...store, ...connections, perIp: false }),
        };
  const messageGuard =
    messages === false ? undefined : messageRateLimitGuard({ ...store, ...messages });
  const errorGuard =
    errors === false
      ? undefined
      : errorRateLimitGuard({
          ...errors,
          ...(store.dryRun === undefined ? {} : { dryRun: store.dryRun }),
          ...(store.now === undefined ? {} : { now: store.now }),
        });
  const packetGuards: PacketGuard[] = [];
  if (messageGuard !== undefined) packetGuards.push(messageGuard);
  if (errorGuard !== undefined) packetGuards.push(errorGuard);
  return {
    connections: connectionGuards.ip,
    userConnections: connectionGuards.user,
    messages: messageGuard,
    errors: errorGuard,
    packetGuards,
  };
}

import { checkOptions, type HandshakeMiddleware, type PacketGuard } from '@portcullis/core';
import { connectionRateLimitGuard, type ConnectionRateLimitGuard } from './connection-guard';
import { messageRateLimitGuard, type MessageRateLimitGuard } from './message-guard';
import { rateLimitGuardOptionsSpec, type RateLimitGuardOptions } from './rate-limit-options';

/** The pieces, each installed where it belongs in the chain. */
export interface RateLimitGuard {
  /** Per IP: install before authentication, so a flood is refused before any token is checked. */
  readonly connections: ConnectionRateLimitGuard;
  /** Per user: install after authentication (it needs `user` in the context). */
  readonly userConnections: ConnectionRateLimitGuard;
  /** Messages; `undefined` when `messages: false`. */
  readonly messages: MessageRateLimitGuard | undefined;
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
  checkOptions(rateLimitGuardOptionsSpec, options, 'rateLimitGuard');
  const { connections = {}, messages = {}, ...store } = options;
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
  const packetGuards: PacketGuard[] = messageGuard === undefined ? [] : [messageGuard];
  return {
    connections: connectionGuards.ip,
    userConnections: connectionGuards.user,
    messages: messageGuard,
    packetGuards,
  };
}

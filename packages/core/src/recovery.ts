import { GuardError, isGuardError } from './guard-error';
import { holdPackets } from './packet-gate';
import type { AnyNamespace, AnyServer, AnySocket, HandshakeMiddleware } from './socket-types';

interface RecoverySettings {
  readonly skipMiddlewares?: boolean;
}

/** Options of `rerunHandshakeOnRecovery`. */
export interface RerunHandshakeOptions {
  /** The guard named in the security events of a refusal. */
  readonly guard: string;
  /** Longest wait for the whole chain; then the socket is cut with `INTERNAL`. Default 10 000. */
  readonly timeoutMs?: number;
}

/**
 * Whether Socket.io skipped the `io.use` middlewares for this recovered socket: it does
 * when `connectionStateRecovery.skipMiddlewares` is on, which is its default.
 */
export function middlewaresSkipped(socket: AnySocket): boolean {
  if (socket.recovered !== true) return false;
  const recovery = socket.nsp.server._opts.connectionStateRecovery as RecoverySettings | undefined;
  return recovery !== undefined && recovery.skipMiddlewares !== false;
}

/** Runs handshake middlewares in order; resolves when all let the socket through. */
export function runHandshakeChain(
  socket: AnySocket,
  middlewares: readonly HandshakeMiddleware[],
): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (index: number): void => {
      const middleware = middlewares[index];
      if (middleware === undefined) {
        resolve();
        return;
      }
      try {
        middleware(socket, (error?: Error) => {
          if (error === undefined) step(index + 1);
          else reject(isGuardError(error) ? error : new GuardError('INTERNAL', { cause: error }));
        });
      } catch (error) {
        reject(isGuardError(error) ? error : new GuardError('INTERNAL', { cause: error }));
      }
    };
    step(0);
  });
}

/**
 * Connection state recovery skips `io.use` by default, so every handshake check (rate
 * limits, authentication, revocation) would be bypassed by a socket that comes back
 * within the recovery window. This re-runs the given handshake middlewares, in order,
 * on each recovered socket of `target` whose middlewares were skipped; its packets are
 * held until the chain answers (`holdPackets`), and a refusal cuts it with the
 * refusal's code on `portcullis:disconnect`.
 *
 * Register it before your own `connection` handlers.
 *
 * @example
 * rerunHandshakeOnRecovery(io, [limits.connections, authGuard(options)], { guard: 'recovery' });
 */
export function rerunHandshakeOnRecovery(
  target: AnyServer | AnyNamespace,
  middlewares: readonly HandshakeMiddleware[],
  options: Readonly<RerunHandshakeOptions>,
): void {
  if (middlewares.length === 0) return;
  const chain = [...middlewares];
  const hold = {
    guard: options.guard,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  // Cheap to register even when recovery is off: the listener returns at once.
  target.on('connection', function rerunHandshake(socket: AnySocket) {
    if (!middlewaresSkipped(socket)) return;
    holdPackets(socket, runHandshakeChain(socket, chain), hold);
  });
}

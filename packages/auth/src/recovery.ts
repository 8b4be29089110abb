import {
  GuardError,
  disconnectWithCode,
  peekContext,
  type AnyNamespace,
  type AnyServer,
  type AnySocket,
} from '@portcullis/core';

export interface RecheckRecoveredOptions {
  /** Clock in epoch milliseconds, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Connection state recovery skips `io.use` by default, so a socket that comes back
 * within the recovery window was never shown to `authGuard` again. This listener looks
 * at what the context still holds: a recovered socket whose token has expired
 * (`user.expiresAt`) in the meantime is told `AUTH_EXPIRED` on `portcullis:disconnect`
 * and disconnected, before the `connection` handlers registered after it run.
 *
 * It cannot see a revoked token. For that, set
 * `connectionStateRecovery: { skipMiddlewares: false }`: then `authGuard` verifies the
 * token the client sends on reconnection, and refuses one that names another user.
 *
 * Register it before your own `connection` handlers.
 */
export function recheckRecoveredSockets(
  target: AnyServer | AnyNamespace,
  options: Readonly<RecheckRecoveredOptions> = {},
): void {
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') {
    throw new TypeError('recheckRecoveredSockets: `now` must be a function.');
  }
  target.on('connection', function recheckRecoveredSocket(socket: AnySocket) {
    if (!socket.recovered) return;
    const expiresAt = peekContext(socket)?.user?.expiresAt;
    if (expiresAt !== undefined && expiresAt <= now()) {
      disconnectWithCode(socket, new GuardError('AUTH_EXPIRED'), 'auth');
    }
  });
}

import {
  GuardError,
  checkOptions,
  disconnectWithCode,
  opt,
  peekContext,
  settingsOf,
  type AnyNamespace,
  type AnyServer,
  type AnySocket,
  type OptionSpec,
} from '@portcullis/core';

/**
 * No options today; the object is kept so a retired one is refused with the way to
 * migrate. Its clock is core's: `configurePortcullis(io, { now })`.
 */
export type RecheckRecoveredOptions = Readonly<Record<string, never>>;

/** Every option `recheckRecoveredSockets` takes (none). */
export const recheckRecoveredSocketsOptionsSpec: OptionSpec = opt.object({
  now: opt.removed("recheckRecoveredSockets reads core's clock: configurePortcullis(io, { now })"),
});

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
  checkOptions(recheckRecoveredSocketsOptionsSpec, options, 'recheckRecoveredSockets');
  target.on('connection', function recheckRecoveredSocket(socket: AnySocket) {
    if (!socket.recovered) return;
    const expiresAt = peekContext(socket)?.user?.expiresAt;
    if (expiresAt !== undefined && expiresAt <= settingsOf(socket).now()) {
      disconnectWithCode(socket, new GuardError('AUTH_EXPIRED'), 'auth');
    }
  });
}

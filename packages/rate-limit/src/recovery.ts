import {
  checkOptions,
  opt,
  rerunHandshakeOnRecovery,
  type AnyNamespace,
  type AnyServer,
  type HandshakeMiddleware,
} from '@portcullis/core';

/** The middlewares `recheckOnRecovery` takes (it has no options object). */
const middlewaresSpec = opt.array(opt.func());

/**
 * Socket.io's connection state recovery skips `io.use` for a recovered socket, so a
 * client could reconnect through recovery without ever being counted. This runs the
 * given handshake middlewares again on every recovered socket of `target` whose
 * middlewares were skipped (core's `rerunHandshakeOnRecovery`): its packets wait until
 * they answer, and a refusal disconnects it with the refusal's code
 * (`portcullis:disconnect`). Register it before your own `connection` handlers.
 *
 * @example
 * recheckOnRecovery(io, limits.connections, limits.userConnections);
 */
export function recheckOnRecovery(
  target: AnyServer | AnyNamespace,
  ...middlewares: HandshakeMiddleware[]
): void {
  checkOptions(middlewaresSpec, middlewares, 'recheckOnRecovery');
  rerunHandshakeOnRecovery(target, middlewares, { guard: 'rate-limit' });
}

import {
  GuardError,
  disconnectWithCode,
  isGuardError,
  type AnyNamespace,
  type AnyServer,
  type AnySocket,
  type HandshakeMiddleware,
} from '@portcullis/core';

/**
 * Socket.io's connection state recovery skips `io.use` for a recovered socket, so a
 * client could reconnect through recovery without ever being counted. This runs the
 * given handshake middlewares on every recovered socket of `target`, in order, and
 * disconnects it with their code (`portcullis:disconnect`) when one refuses.
 *
 * @example
 * recheckOnRecovery(io, limits.connections, limits.userConnections);
 */
export function recheckOnRecovery(
  target: AnyServer | AnyNamespace,
  ...middlewares: HandshakeMiddleware[]
): void {
  target.on('connection', (socket: AnySocket) => {
    if (socket.recovered !== true) return;
    const run = (index: number): void => {
      const middleware = middlewares[index];
      if (middleware === undefined) return;
      middleware(socket, (error?: Error) => {
        if (error === undefined) {
          run(index + 1);
          return;
        }
        const refusal = isGuardError(error) ? error : new GuardError('INTERNAL', { cause: error });
        disconnectWithCode(socket, refusal, 'rate-limit');
      });
    };
    run(0);
  });
}

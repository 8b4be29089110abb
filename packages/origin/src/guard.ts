import {
  GuardError,
  recordSocketEvent,
  settingsOf,
  type AnySocket,
  type HandshakeMiddleware,
} from '@portcullis/core';
import type { OriginVerdict } from './matcher';
import {
  codeOf,
  logKey,
  refusalDetail,
  resolveGuardOptions,
  type OriginGuardOptions,
} from './options';

const GUARD_NAME = 'origin';

/**
 * The `io.use` hook, for servers whose options you cannot change. It reads the headers
 * of the request that opened the connection (`socket.handshake.headers`) and refuses
 * with `ORIGIN_REJECTED` in `connect_error` (`INTERNAL` when a function entry failed).
 *
 * It replies exactly as core's `handshakeGuard` does, but records the refusal itself:
 * `handshakeGuard` records every refusal, and a refused origin must be recorded at most
 * once per `logIntervalMs` (on core's clock), or a hostile page could flood the log.
 * Options are checked against `originGuardOptionsSpec` when it is called.
 *
 * @example
 * io.use(originGuard({ origins: ['https://app.example.com', 'https://*.example.com'] }));
 */
export function originGuard<S extends AnySocket = AnySocket>(
  options: Readonly<OriginGuardOptions>,
): HandshakeMiddleware<S> {
  const { matcher, log, maxTrackedOrigins } = resolveGuardOptions(options);

  const refuse = (socket: S, next: (err?: Error) => void, verdict: OriginVerdict): void => {
    const code = codeOf(verdict);
    const decision = log.decide(
      logKey(verdict, socket.handshake.headers.origin),
      settingsOf(socket).now(),
    );
    if (decision.kind !== 'skip') {
      recordSocketEvent(socket, decision.kind === 'overflow' ? 'suspicious' : 'handshake_refused', {
        code,
        guard: GUARD_NAME,
        detail: refusalDetail(verdict, decision, maxTrackedOrigins),
      });
    }
    next(new GuardError(code));
  };

  const finish = (socket: S, next: (err?: Error) => void, verdict: OriginVerdict): void => {
    if (verdict === 'allowed') next();
    else refuse(socket, next, verdict);
  };

  const middleware: HandshakeMiddleware<S> = (socket, next) => {
    const { headers } = socket.handshake;
    const verdict = matcher.check(headers.origin, headers['sec-fetch-site']);
    if (typeof verdict === 'string') finish(socket, next, verdict);
    else void verdict.then((result) => finish(socket, next, result));
  };
  Object.defineProperty(middleware, 'name', { value: `${GUARD_NAME}HandshakeGuard` });
  return middleware;
}

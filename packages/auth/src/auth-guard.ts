import {
  GuardError,
  getContext,
  handshakeGuard,
  type AnySocket,
  type GuardVerdict,
  type HandshakeMiddleware,
  type MaybePromise,
} from '@portcullis/core';
import {
  findToken,
  redactQueryToken,
  resolveTokenSources,
  type TokenSource,
} from './token-sources';
import { createTokenVerifier, type TokenVerifierOptions } from './verifier';

export interface AuthGuardOptions extends TokenVerifierOptions {
  /** Where to look for the token, in order. Default `['auth', 'header']`. */
  readonly sources?: readonly TokenSource[];
  /** The cookie holding the token; required with (and only with) the `cookie` source. */
  readonly cookieName?: string;
  /** The query parameter of the `query` source. Default `token`. */
  readonly queryParam?: string;
  /**
   * Let sockets without any token connect anonymously (no `user` on the context).
   * A token that is present but bad is still refused. Default `false`.
   */
  readonly optional?: boolean;
  /**
   * Called with each refusal, for server-side logs: `error.cause` says which check failed.
   * Never send it to the client. A throwing callback is ignored.
   */
  readonly onRefused?: (error: GuardError, socket: AnySocket) => void;
}

const GUARD = 'auth';

/**
 * JWT authentication at the handshake, as an `io.use` middleware.
 *
 * Finds the token (see `sources`), verifies it with `createTokenVerifier`'s rules, and
 * sets `getContext(socket).user`. Refusals reach the client as `connect_error` with
 * `err.data.code`: `AUTH_REQUIRED` (no token), `AUTH_EXPIRED` (get a new token and
 * retry), `AUTH_INVALID` (anything else; which check failed is not said), `INTERNAL`
 * (the key set could not be fetched).
 *
 * @example
 * io.use(authGuard({ algorithms: ['HS256'], secret: process.env.JWT_SECRET, issuer: 'https://id.example.com' }));
 */
export function authGuard(options: Readonly<AuthGuardOptions>): HandshakeMiddleware {
  const verify = createTokenVerifier(options);
  const sources = resolveTokenSources(options);
  const optional = options.optional ?? false;
  if (typeof optional !== 'boolean') {
    throw new TypeError('authGuard: `optional` must be a boolean.');
  }
  const redactQuery = sources.sources.includes('query');
  const onRefused = options.onRefused;
  if (onRefused !== undefined && typeof onRefused !== 'function') {
    throw new TypeError('authGuard: `onRefused` must be a function.');
  }

  const refuse = (socket: AnySocket, error: GuardError): GuardError => {
    if (onRefused !== undefined) {
      try {
        onRefused(error, socket);
      } catch {
        // A logging callback must not change the verdict.
      }
    }
    return error;
  };

  const check = (socket: AnySocket): MaybePromise<GuardVerdict> => {
    const context = getContext(socket);
    const found = findToken(socket, sources);
    if (redactQuery) redactQueryToken(socket, sources.queryParam);
    if (found.kind === 'absent') {
      // A recovered socket (middlewares re-run, `skipMiddlewares: false`) keeps the rooms
      // of the user it belonged to: it may not come back anonymous.
      if (optional && context.user === undefined) return undefined;
      return refuse(socket, new GuardError('AUTH_REQUIRED'));
    }
    if (found.kind === 'malformed') {
      return refuse(
        socket,
        new GuardError('AUTH_INVALID', { cause: new TypeError(`malformed ${found.source} token`) }),
      );
    }
    return verify(found.token, socket).then(
      (user) => {
        const previous = context.user;
        if (previous !== undefined && previous.id !== user.id) {
          return refuse(
            socket,
            new GuardError('AUTH_INVALID', {
              cause: new Error('a recovered session belongs to another user'),
            }),
          );
        }
        context.user = user;
        return undefined;
      },
      (error: GuardError) => refuse(socket, error),
    );
  };
  return handshakeGuard(GUARD, check);
}

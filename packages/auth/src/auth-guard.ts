import {
  GuardError,
  checkOptions,
  getContext,
  handshakeGuard,
  type AnySocket,
  type GuardVerdict,
  type HandshakeMiddleware,
  type MaybePromise,
} from '@portcullis/core';
import { problemsOf } from './config-problem';
import { authGuardOptionsSpec, type AuthGuardOptions } from './options';
import { findToken, redactQueryToken, resolveTokenSources } from './token-sources';
import { buildTokenVerifier, type TokenVerifier } from './verifier';

const GUARD = 'auth';

/**
 * The handshake middleware, carrying the verifier it checks tokens with: use it for
 * refreshed tokens, so they are checked exactly as handshakes are, with the same key
 * cache (one JWKS fetch and cache, not one per verifier).
 */
export type AuthGuard = HandshakeMiddleware & { readonly verifyToken: TokenVerifier };

/**
 * JWT authentication at the handshake, as an `io.use` middleware.
 *
 * Finds the token (see `sources`), verifies it with `createTokenVerifier`'s rules, and
 * sets `getContext(socket).user` (`id`, `roles`, `sessionId`, `tokenId`, `issuedAt`,
 * `expiresAt`, from `claimNames`). Refusals reach the client as `connect_error` with
 * `err.data.code`: `AUTH_REQUIRED` (no token), `AUTH_EXPIRED` (get a new token and
 * retry), `AUTH_INVALID` (anything else; which check failed is not said), `INTERNAL`
 * (the key set could not be fetched).
 *
 * Options are checked when it is called: an unknown key, at any depth, throws a
 * `PortcullisConfigError` naming its path and the nearest known key
 * (`authGuard: audiance: unknown option, did you mean audience?`).
 *
 * @example
 * io.use(authGuard({ algorithms: ['HS256'], secret: process.env.JWT_SECRET, issuer: 'https://id.example.com' }));
 */
export function authGuard(options: Readonly<AuthGuardOptions>): AuthGuard {
  checkOptions(authGuardOptionsSpec, options, 'authGuard');
  // Core's clock, read per handshake from the socket's server.
  const verify = buildTokenVerifier(options, problemsOf('authGuard'), undefined);
  const sources = resolveTokenSources(options);
  const optional = options.optional ?? false;
  const redactQuery = sources.sources.includes('query');
  const onRefused = options.onRefused;

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
  return Object.assign(handshakeGuard(GUARD, check), { verifyToken: verify });
}

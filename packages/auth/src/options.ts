/** The options of `authGuard` and `createTokenVerifier`: their types, defaults and specs. */
import {
  PortcullisConfigError,
  opt,
  type AnySocket,
  type FieldSpec,
  type GuardError,
  type OptionSpec,
  type PortcullisUser,
} from '@portcullis/core';
import type { JWTPayload } from 'jose';
import { algorithmSpec, type JwtAlgorithm } from './algorithms';
import { publicKeysSpec, secretSpec, withOneKeySource } from './key-options';
import type { PublicKeyInput, SecretInput } from './local-keys';
import { jwksSpec, type RemoteJwksOptions } from './remote-jwks';
import { tokenSourceFields, tokenSourceRules, type TokenSource } from './token-sources';
import { claimNamesSpec, type ClaimNames } from './user';

/** What a `validate` hook is told besides the claims. */
export interface AuthValidateContext {
  /** The user that will be set on the context if the hook accepts. */
  readonly user: PortcullisUser;
  /**
   * The socket being authenticated. Absent when the verifier is called on its own
   * (e.g. to check a refreshed token).
   */
  readonly socket?: AnySocket;
}

/**
 * Checks you add (a database, a session store). Return `true` to accept. `false`,
 * anything else, or a throw refuses with `AUTH_INVALID`; throw a `GuardError` to refuse
 * with another code (e.g. `SESSION_REVOKED`).
 */
export type AuthValidateHook = (
  claims: Readonly<JWTPayload>,
  ctx: AuthValidateContext,
) => boolean | Promise<boolean>;

/** Keys and rules: what a token must satisfy, at the handshake and anywhere else. */
export interface TokenRules {
  /** Accepted JWS algorithms. Required. `none` is refused at set-up. */
  readonly algorithms: readonly JwtAlgorithm[];
  /** Shared secret(s) for HS256/384/512, at least as long as the hash (32/48/64 bytes). */
  readonly secret?: SecretInput | readonly SecretInput[];
  /** Public key(s) for RS/PS/ES/EdDSA: SPKI or certificate PEM, public JWK, `{ pem, kid }`. */
  readonly publicKeys?: PublicKeyInput | readonly PublicKeyInput[];
  /** A remote JSON Web Key Set (URL, or URL with cache settings). */
  readonly jwks?: string | URL | RemoteJwksOptions;
  /** Expected `iss` (one of). The claim is then required. */
  readonly issuer?: string | readonly string[];
  /** Expected `aud` (one of). The claim is then required. */
  readonly audience?: string | readonly string[];
  /** Allowed clock skew for `exp`, `nbf` and `iat`. Default 5000, at most 60 000. */
  readonly clockToleranceMs?: number;
  /**
   * Refuse tokens issued (`iat`) longer ago than this, with AUTH_EXPIRED. Default
   * `false`: no limit.
   */
  readonly maxTokenAgeMs?: number | false;
  /** Claims that must be present (in addition to `exp`, see `requireExpiry`). */
  readonly requiredClaims?: readonly string[];
  /** Expected `typ` header, e.g. `at+jwt`. Default: not checked. */
  readonly typ?: string;
  /**
   * Require `exp`. Default `true`: a token that never expires makes a socket that never
   * expires. `false` is the explicit opt-out.
   */
  readonly requireExpiry?: boolean;
  /** Tokens longer than this are refused before any parsing. Default 8192. */
  readonly maxTokenBytes?: number;
  /** Where id, roles, session id, token id, issue time and expiry live in the claims. */
  readonly claimNames?: ClaimNames;
  /** Your own check, after the signature and claims passed. It is given every claim. */
  readonly validate?: AuthValidateHook;
  /**
   * The claims `user.claims` keeps, besides the user's own fields (`id`, `roles`,
   * `sessionId`, `tokenId`, `issuedAt`, `expiresAt`, read from the claims `claimNames`
   * names). Default `[]`: none, so `user.claims` is an empty object. What is kept stays
   * in memory as long as the socket, goes to every node that calls `fetchSockets()` and
   * is stored for connection state recovery: list the claims your handlers read, e.g.
   * `['email', 'tenant']`. `'all'` keeps the whole payload.
   */
  readonly keepClaims?: readonly string[] | 'all';
  /**
   * Tokens already verified on this node are not verified again while they are valid
   * (a reconnect, several tabs with one token): a bounded map from a SHA-256 digest of
   * the token to the verified user, each entry kept until the token's `exp` (and
   * `maxTokenAgeMs`) passes. `validate` still runs every time. Default
   * `{ maxEntries: 1000 }` (each entry keeps a verified user alive, and with `validate`
   * the token's claims too, about 0.5 KB, until its token expires or newer tokens push
   * it out); `false` verifies every token with jose.
   */
  readonly cache?: false | { readonly maxEntries?: number };
}

/** What only the handshake uses: where the token comes from, and what a refusal does. */
export interface HandshakeSettings {
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

/** The options of `authGuard`. Its clock is core's: `configurePortcullis(io, { now })`. */
export interface AuthGuardOptions extends TokenRules, HandshakeSettings {}

/**
 * The options of `createTokenVerifier`: the same rules, so the options object given to
 * `authGuard` builds the verifier of refreshed tokens as is (its handshake settings are
 * checked, then left unused).
 */
export interface TokenVerifierOptions extends TokenRules, HandshakeSettings {
  /**
   * Clock in epoch milliseconds. Default: the clock of the socket's server
   * (`configurePortcullis(io, { now })`) when the verifier is given the socket, else
   * `Date.now`.
   */
  readonly now?: () => number;
}

export const DEFAULT_CLOCK_TOLERANCE_MS = 5_000;
export const MAX_CLOCK_TOLERANCE_MS = 60_000;
export const DEFAULT_MAX_TOKEN_BYTES = 8_192;

const clockToleranceSpec: OptionSpec = {
  expected: `a number of milliseconds from 0 to ${MAX_CLOCK_TOLERANCE_MS}`,
  check(value, path) {
    opt.duration().check(value, path);
    if ((value as number) > MAX_CLOCK_TOLERANCE_MS) {
      throw new PortcullisConfigError(
        'PORTCULLIS_CONFIG_OUT_OF_RANGE',
        path,
        `is capped at ${MAX_CLOCK_TOLERANCE_MS}: more would keep expired tokens working. ` +
          'Fix the clocks instead (NTP).',
      );
    }
  },
};

const algorithmsSpec: OptionSpec = {
  ...opt.array(algorithmSpec, { minLength: 1 }),
  expected:
    "the JWS algorithms your issuer signs with, e.g. ['HS256'] with a secret or ['RS256'] " +
    'with a public key',
};

const oneOrMoreStrings = opt.union(opt.string(), opt.array(opt.string(), { minLength: 1 }));

const ruleFields: Readonly<Record<string, OptionSpec | FieldSpec>> = {
  algorithms: opt.required(algorithmsSpec),
  secret: secretSpec,
  publicKeys: publicKeysSpec,
  jwks: jwksSpec,
  issuer: oneOrMoreStrings,
  audience: oneOrMoreStrings,
  clockToleranceMs: clockToleranceSpec,
  maxTokenAgeMs: opt.off(opt.duration({ min: 1 })),
  requiredClaims: opt.array(opt.string()),
  typ: opt.string(),
  requireExpiry: opt.boolean(),
  maxTokenBytes: opt.integer({ min: 1 }),
  claimNames: claimNamesSpec,
  validate: opt.func(),
  keepClaims: opt.union(opt.oneOf(['all']), opt.array(opt.string())),
  cache: opt.off(opt.object({ maxEntries: opt.integer({ min: 1 }) })),
};

const handshakeFields: Readonly<Record<string, OptionSpec>> = {
  ...tokenSourceFields,
  optional: opt.boolean(),
  onRefused: opt.func(),
};

/** Every option `authGuard` takes. */
export const authGuardOptionsSpec: OptionSpec = withOneKeySource(
  opt.object(
    {
      ...ruleFields,
      ...handshakeFields,
      now: opt.removed("authGuard reads core's clock: configurePortcullis(io, { now })"),
    },
    tokenSourceRules,
  ),
);

/** Every option `createTokenVerifier` takes: `authGuard`'s, and a clock of its own. */
export const createTokenVerifierOptionsSpec: OptionSpec = withOneKeySource(
  opt.object({ ...ruleFields, ...handshakeFields, now: opt.func() }, tokenSourceRules),
);

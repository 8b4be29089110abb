import { Buffer } from 'node:buffer';
import { GuardError, isGuardError, type AnySocket, type PortcullisUser } from '@portcullis/core';
import {
  decodeProtectedHeader,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import { checkAlgorithms, type JwtAlgorithm } from './algorithms';
import {
  keyring,
  preparePublicKeys,
  prepareSecrets,
  selectCandidates,
  type KeyCandidate,
  type PublicKeyInput,
  type SecretInput,
} from './local-keys';
import { KeySourceUnavailable, remoteKeySet, type RemoteJwksOptions } from './remote-jwks';
import { resolveClaimNames, userFromClaims, type ClaimNames } from './user';

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

/** Keys and rules: shared by `authGuard` and `createTokenVerifier`. */
export interface TokenVerifierOptions {
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
  /** Refuse tokens issued (`iat`) longer ago than this, with AUTH_EXPIRED. Default: no limit. */
  readonly maxTokenAgeMs?: number;
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
  /** Where id, roles, session id and expiry live in the claims. */
  readonly claimNames?: ClaimNames;
  /** Your own check, after the signature and claims passed. */
  readonly validate?: AuthValidateHook;
  /** Clock in epoch milliseconds, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Verifies one token with the configured keys and rules. Resolves with the user;
 * rejects with a `GuardError`: `AUTH_EXPIRED`, `AUTH_INVALID`, or `INTERNAL` when the
 * key set could not be fetched. The library error is the `cause` (server side only).
 */
export type TokenVerifier = (token: string, socket?: AnySocket) => Promise<PortcullisUser>;

export const DEFAULT_CLOCK_TOLERANCE_MS = 5_000;
export const MAX_CLOCK_TOLERANCE_MS = 60_000;
export const DEFAULT_MAX_TOKEN_BYTES = 8_192;

function checkDurationMs(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`authGuard: \`${option}\` must be a non-negative number of milliseconds.`);
  }
  return value;
}

function checkStrings(value: unknown, option: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list: readonly unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((item) => typeof item === 'string' && item.length > 0)) {
    throw new TypeError(`authGuard: \`${option}\` must be a non-empty string or list of strings.`);
  }
  return [...(list as string[])];
}

/** Verifies a token against keys; resolves with the verified claims. */
type KeyVerification = (token: string, options: JWTVerifyOptions) => Promise<JWTPayload>;

function countKeySources(options: TokenVerifierOptions): number {
  return [options.secret, options.publicKeys, options.jwks].filter((value) => value !== undefined)
    .length;
}

class NoMatchingKey extends Error {
  override readonly name = 'NoMatchingKey';
}

function localVerification(
  load: () => Promise<readonly KeyCandidate[]>,
  algorithms: readonly JwtAlgorithm[],
): KeyVerification {
  return async (token, options) => {
    let candidates: readonly KeyCandidate[];
    try {
      candidates = await load();
    } catch (cause) {
      throw new KeySourceUnavailable('The configured keys could not be imported.', { cause });
    }
    const { alg, kid } = decodeProtectedHeader(token);
    if (!(algorithms as readonly unknown[]).includes(alg)) {
      throw new NoMatchingKey(`alg ${JSON.stringify(alg)} is not in the allowlist`);
    }
    const selected = selectCandidates(candidates, alg, kid);
    if (selected.length === 0)
      throw new NoMatchingKey(`no configured key has kid ${JSON.stringify(kid)}`);
    // Several keys fit (a rotation without `kid`s): only a bad signature moves on to the
    // next one; any verdict on the claims is final, since the signature was good.
    for (let index = 0; ; index++) {
      const candidate = selected[index] as KeyCandidate;
      try {
        return (await jwtVerify(token, candidate.key, options)).payload;
      } catch (error) {
        const last = index === selected.length - 1;
        if (
          last ||
          (error as { code?: unknown }).code !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
        ) {
          throw error;
        }
      }
    }
  };
}

function remoteVerification(getKey: JWTVerifyGetKey): KeyVerification {
  return async (token, options) => (await jwtVerify(token, getKey, options)).payload;
}

function keyVerification(
  options: TokenVerifierOptions,
  algorithms: readonly JwtAlgorithm[],
): KeyVerification {
  if (countKeySources(options) !== 1) {
    throw new TypeError(
      'authGuard: pass exactly one of `secret` (HS*), `publicKeys` (RS/PS/ES/EdDSA) or `jwks` ' +
        '(a remote key set URL).',
    );
  }
  if (options.secret !== undefined) {
    return localVerification(keyring(prepareSecrets(options.secret, algorithms)), algorithms);
  }
  if (options.publicKeys !== undefined) {
    return localVerification(
      keyring(preparePublicKeys(options.publicKeys, algorithms)),
      algorithms,
    );
  }
  const jwks = options.jwks as NonNullable<TokenVerifierOptions['jwks']>;
  return remoteVerification(remoteKeySet(jwks, algorithms));
}

/** Turns any failure into the one error the client may see; the original is the cause. */
export function toGuardError(error: unknown): GuardError {
  if (isGuardError(error)) return error;
  if (error instanceof KeySourceUnavailable) return new GuardError('INTERNAL', { cause: error });
  if ((error as { code?: unknown } | null)?.code === 'ERR_JWT_EXPIRED') {
    return new GuardError('AUTH_EXPIRED', { cause: error });
  }
  return new GuardError('AUTH_INVALID', { cause: error });
}

class TokenTooLarge extends Error {
  override readonly name = 'TokenTooLarge';
}

class ValidateRefused extends Error {
  override readonly name = 'ValidateRefused';
}

/**
 * Creates the function that verifies a token: signature with the configured keys,
 * algorithm allowlist, `iss`/`aud`/`exp`/`nbf`/`iat`/`typ`, required claims, your
 * `validate` hook, then maps the claims to a `PortcullisUser`. Options are checked
 * now (a mistake throws here, at start-up); keys are imported once, on first use.
 *
 * `authGuard` uses exactly this function, so a token accepted here is accepted at the
 * handshake, and the other way round. Use it to check a refreshed token.
 */
export function createTokenVerifier(options: Readonly<TokenVerifierOptions>): TokenVerifier {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('authGuard: options are required: at least `algorithms` and a key.');
  }
  const algorithms = checkAlgorithms(options.algorithms);
  const verifyWithKeys = keyVerification(options, algorithms);
  const clockToleranceMs =
    checkDurationMs(options.clockToleranceMs, 'clockToleranceMs') ?? DEFAULT_CLOCK_TOLERANCE_MS;
  if (clockToleranceMs > MAX_CLOCK_TOLERANCE_MS) {
    throw new TypeError(
      `authGuard: \`clockToleranceMs\` is capped at ${MAX_CLOCK_TOLERANCE_MS}: more would keep ` +
        'expired tokens working. Fix the clocks instead (NTP).',
    );
  }
  const maxTokenAgeMs = checkDurationMs(options.maxTokenAgeMs, 'maxTokenAgeMs');
  const maxTokenBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  if (!Number.isInteger(maxTokenBytes) || maxTokenBytes < 1) {
    throw new TypeError('authGuard: `maxTokenBytes` must be a positive integer.');
  }
  const requireExpiry = options.requireExpiry ?? true;
  if (typeof requireExpiry !== 'boolean') {
    throw new TypeError('authGuard: `requireExpiry` must be a boolean.');
  }
  const requiredClaims = checkStrings(options.requiredClaims, 'requiredClaims') ?? [];
  if (requireExpiry && !requiredClaims.includes('exp')) requiredClaims.push('exp');
  const issuer = checkStrings(options.issuer, 'issuer');
  const audience = checkStrings(options.audience, 'audience');
  if (options.typ !== undefined && (typeof options.typ !== 'string' || options.typ.length === 0)) {
    throw new TypeError('authGuard: `typ` must be a non-empty string.');
  }
  if (options.validate !== undefined && typeof options.validate !== 'function') {
    throw new TypeError('authGuard: `validate` must be a function (claims, ctx) => boolean.');
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new TypeError('authGuard: `now` must be a function returning epoch milliseconds.');
  }
  const names = resolveClaimNames(options.claimNames);
  const validate = options.validate;
  const now = options.now;

  // Everything but the clock is fixed: one object, reused for every token.
  const base: JWTVerifyOptions = {
    algorithms: [...algorithms],
    clockTolerance: clockToleranceMs / 1000,
    requiredClaims,
  };
  if (issuer !== undefined) base.issuer = issuer;
  if (audience !== undefined) base.audience = audience;
  if (maxTokenAgeMs !== undefined) base.maxTokenAge = maxTokenAgeMs / 1000;
  if (options.typ !== undefined) base.typ = options.typ;

  const verify = async (token: string, socket?: AnySocket): Promise<PortcullisUser> => {
    if (typeof token !== 'string' || token.length === 0) {
      throw new GuardError('AUTH_INVALID', { cause: new TypeError('the token is not a string') });
    }
    // Length in UTF-16 units is at most the byte length, so the cheap test goes first.
    if (token.length > maxTokenBytes || Buffer.byteLength(token, 'utf8') > maxTokenBytes) {
      throw new GuardError('AUTH_INVALID', {
        cause: new TokenTooLarge(`the token is over maxTokenBytes (${maxTokenBytes})`),
      });
    }
    try {
      const claims = await verifyWithKeys(
        token,
        now === undefined ? base : { ...base, currentDate: new Date(now()) },
      );
      const user = userFromClaims(claims, names);
      if (validate !== undefined) {
        const accepted = await validate(claims, socket === undefined ? { user } : { user, socket });
        if (accepted !== true) throw new ValidateRefused('the validate hook did not return true');
      }
      return user;
    } catch (error) {
      throw toGuardError(error);
    }
  };
  return verify;
}

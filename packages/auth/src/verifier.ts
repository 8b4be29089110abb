import { Buffer } from 'node:buffer';
import {
  GuardError,
  checkOptions,
  isGuardError,
  settingsOf,
  type AnySocket,
  type PortcullisUser,
} from '@portcullis/core';
import {
  decodeProtectedHeader,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import { distinctAlgorithms, type JwtAlgorithm } from './algorithms';
import { problemsOf, type ConfigProblem } from './config-problem';
import {
  keyring,
  preparePublicKeys,
  prepareSecrets,
  selectCandidates,
  type KeyCandidate,
} from './local-keys';
import {
  DEFAULT_CLOCK_TOLERANCE_MS,
  DEFAULT_MAX_TOKEN_BYTES,
  createTokenVerifierOptionsSpec,
  type TokenRules,
  type TokenVerifierOptions,
} from './options';
import { KeySourceUnavailable, remoteKeySet } from './remote-jwks';
import { ClaimKeeper } from './kept-claims';
import { resolveClaimNames, userFromClaims } from './user';
import { DEFAULT_CACHE_ENTRIES, VerifiedTokenCache, tokenServesUntil } from './verified-cache';

/**
 * Verifies one token with the configured keys and rules. Resolves with the user;
 * rejects with a `GuardError`: `AUTH_EXPIRED`, `AUTH_INVALID`, or `INTERNAL` when the
 * key set could not be fetched. The library error is the `cause` (server side only).
 * Given the socket, the `validate` hook sees it and the clock is its server's.
 */
export type TokenVerifier = (token: string, socket?: AnySocket) => Promise<PortcullisUser>;

/** Verifies a token against keys; resolves with the verified claims. */
type KeyVerification = (token: string, options: JWTVerifyOptions) => Promise<JWTPayload>;

/**
 * A cached token's verification: the user, or, with a `validate` hook, the user and the
 * whole payload the hook is given every time.
 */
type CachedToken = PortcullisUser | { readonly user: PortcullisUser; readonly claims: JWTPayload };

/** Epoch ms to seconds, as the token's own claims say it. */
function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
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

/** The one key source the spec let through: a secret, public keys, or a remote key set. */
function keyVerification(
  options: TokenRules,
  algorithms: readonly JwtAlgorithm[],
  fail: ConfigProblem,
): KeyVerification {
  if (options.secret !== undefined) {
    return localVerification(keyring(prepareSecrets(options.secret, algorithms, fail)), algorithms);
  }
  if (options.publicKeys !== undefined) {
    return localVerification(
      keyring(preparePublicKeys(options.publicKeys, algorithms, fail)),
      algorithms,
    );
  }
  const jwks = options.jwks as NonNullable<TokenRules['jwks']>;
  return remoteVerification(remoteKeySet(jwks, algorithms, fail));
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
 * Builds the verifier from options its factory has checked against its spec. `now`,
 * when given, is the clock; otherwise the clock of the socket's server, or `Date.now`.
 */
export function buildTokenVerifier(
  options: Readonly<TokenRules>,
  fail: ConfigProblem,
  now: (() => number) | undefined,
): TokenVerifier {
  const algorithms = distinctAlgorithms(options.algorithms);
  const verifyWithKeys = keyVerification(options, algorithms, fail);
  const clockToleranceMs = options.clockToleranceMs ?? DEFAULT_CLOCK_TOLERANCE_MS;
  const maxTokenAgeMs = options.maxTokenAgeMs ?? false;
  const maxTokenBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  const requiredClaims = [...(options.requiredClaims ?? [])];
  if ((options.requireExpiry ?? true) && !requiredClaims.includes('exp')) {
    requiredClaims.push('exp');
  }
  const names = resolveClaimNames(options.claimNames);
  const validate = options.validate;
  const keepClaims = options.keepClaims ?? [];
  // The cache needs each token's `exp` and `iat`. With the default claim names they are
  // the user's `expiresAt` and `issuedAt`; with a `validate` hook the cache keeps the
  // whole payload anyway; otherwise they are kept in `user.claims`.
  const timesInFields = names.expiresAt === 'exp' && names.issuedAt === 'iat';
  const keeper = new ClaimKeeper(
    keepClaims === 'all' || validate !== undefined || timesInFields
      ? keepClaims
      : [...keepClaims, 'exp', 'iat'],
  );
  const servesUntil = (value: CachedToken): number => {
    if ('user' in value) {
      return tokenServesUntil(value.claims.exp, value.claims.iat, clockToleranceMs, maxTokenAgeMs);
    }
    return timesInFields
      ? tokenServesUntil(
          seconds(value.expiresAt),
          seconds(value.issuedAt),
          clockToleranceMs,
          maxTokenAgeMs,
        )
      : tokenServesUntil(value.claims.exp, value.claims.iat, clockToleranceMs, maxTokenAgeMs);
  };
  const cacheOption = options.cache ?? {};
  const cache =
    cacheOption === false
      ? undefined
      : new VerifiedTokenCache<CachedToken>(
          cacheOption.maxEntries ?? DEFAULT_CACHE_ENTRIES,
          servesUntil,
        );

  // Everything but the clock is fixed: one object, reused for every token.
  const base: JWTVerifyOptions = {
    algorithms: [...algorithms],
    clockTolerance: clockToleranceMs / 1000,
    requiredClaims,
  };
  if (options.issuer !== undefined) base.issuer = toList(options.issuer);
  if (options.audience !== undefined) base.audience = toList(options.audience);
  if (maxTokenAgeMs !== false) base.maxTokenAge = maxTokenAgeMs / 1000;
  if (options.typ !== undefined) base.typ = options.typ;

  /** jose reads the real time itself: only another clock costs a copy of the options. */
  const verifyOptions = (socket: AnySocket | undefined): JWTVerifyOptions => {
    const clock = now ?? (socket === undefined ? Date.now : settingsOf(socket).now);
    return clock === Date.now ? base : { ...base, currentDate: new Date(clock()) };
  };

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
      const key = cache === undefined ? undefined : VerifiedTokenCache.keyOf(token);
      const clock = now ?? (socket === undefined ? Date.now : settingsOf(socket).now);
      const cached = key === undefined ? undefined : cache?.get(key, clock());
      let user: PortcullisUser;
      let claims: JWTPayload | undefined;
      if (cached === undefined) {
        claims = await verifyWithKeys(token, verifyOptions(socket));
        user = userFromClaims(claims, names, keeper);
        // Cached before the hook: the hook is the app's own check and runs every time.
        if (key !== undefined) {
          cache?.set(key, validate === undefined ? user : { user, claims }, clock());
        }
      } else if ('user' in cached) {
        ({ user, claims } = cached);
      } else {
        user = cached;
      }
      if (validate !== undefined) {
        // The whole payload, whatever `keepClaims` keeps in the user.
        const accepted = await validate(
          claims as JWTPayload,
          socket === undefined ? { user } : { user, socket },
        );
        if (accepted !== true) throw new ValidateRefused('the validate hook did not return true');
      }
      return user;
    } catch (error) {
      throw toGuardError(error);
    }
  };
  return verify;
}

function toList(value: string | readonly string[]): string[] {
  return typeof value === 'string' ? [value] : [...value];
}

/**
 * Creates the function that verifies a token: signature with the configured keys,
 * algorithm allowlist, `iss`/`aud`/`exp`/`nbf`/`iat`/`typ`, required claims, your
 * `validate` hook, then maps the claims to a `PortcullisUser`. Options are checked
 * now (a mistake throws a `PortcullisConfigError` here, at start-up); keys are imported
 * once, on first use.
 *
 * It takes `authGuard`'s options as they are, and `authGuard` verifies with exactly this
 * function, so a token accepted here is accepted at the handshake, and the other way
 * round. Use it to check a refreshed token.
 *
 * @example
 * const authOptions = { algorithms: ['HS256'], secret: process.env.JWT_SECRET } as const;
 * io.use(authGuard(authOptions));
 * const verify = createTokenVerifier(authOptions);
 */
export function createTokenVerifier(options: Readonly<TokenVerifierOptions>): TokenVerifier {
  checkOptions(createTokenVerifierOptionsSpec, options, 'createTokenVerifier');
  return buildTokenVerifier(options, problemsOf('createTokenVerifier'), options.now);
}

import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { opt, type OptionSpec } from '@portcullis/core';
import { isHmacAlgorithm, type JwtAlgorithm } from './algorithms';
import type { ConfigProblem } from './config-problem';

/** A JSON Web Key Set served by your identity provider (`…/.well-known/jwks.json`). */
export interface RemoteJwksOptions {
  /** `https:` URL of the key set; `http:` only on a loopback host. */
  readonly url: string | URL;
  /**
   * After a fetch, how long a token with an unknown `kid` waits before it may trigger
   * another fetch. Default 30 000 (jose's default): a flood of made-up `kid`s costs the
   * identity provider at most one request per cooldown.
   */
  readonly cooldownMs?: number;
  /** How long fetched keys are used before they are fetched again. Default 600 000. */
  readonly cacheMaxAgeMs?: number;
  /** Abort a fetch after this long; the handshake then fails with INTERNAL. Default 5000. */
  readonly timeoutMs?: number;
  /** Extra request headers (e.g. an API key of the identity provider). */
  readonly headers?: Readonly<Record<string, string>>;
}

export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
export const DEFAULT_JWKS_CACHE_MAX_AGE_MS = 600_000;
export const DEFAULT_JWKS_TIMEOUT_MS = 5_000;

const urlSpec = opt.custom(
  'an https: URL (a string or a URL)',
  (value) => (typeof value === 'string' && value.length > 0) || value instanceof URL,
);

/** `jwks`: a URL, or a URL with cache settings. */
export const jwksSpec: OptionSpec = opt.union(
  urlSpec,
  opt.object({
    url: opt.required(urlSpec),
    cooldownMs: opt.duration(),
    cacheMaxAgeMs: opt.duration(),
    timeoutMs: opt.duration({ min: 1 }),
    headers: opt.record(opt.string({ allowEmpty: true }), 'header names'),
  }),
);

/**
 * Marks a failure to obtain keys (identity provider down, slow, or serving garbage):
 * not the client's fault, so it becomes `INTERNAL` (retryable), never `AUTH_INVALID`.
 */
export class KeySourceUnavailable extends Error {
  override readonly name = 'KeySourceUnavailable';
}

/** jose errors that are verdicts on the token, not on the key source. */
const TOKEN_VERDICTS = new Set([
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_NOT_SUPPORTED',
]);

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null
    ? (error as { code?: unknown }).code
    : undefined;
}

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/**
 * jose's remote key set (fetched on first use, cached, refetched on an unknown `kid`
 * at most once per cooldown), wrapped so that fetch failures are told apart from
 * tokens that match no key.
 */
export function remoteKeySet(
  input: string | URL | RemoteJwksOptions,
  algorithms: readonly JwtAlgorithm[],
  fail: ConfigProblem,
): JWTVerifyGetKey {
  const options: RemoteJwksOptions =
    typeof input === 'string' || input instanceof URL ? { url: input } : input;
  const path = options === input ? 'jwks.url' : 'jwks';
  let url: URL;
  try {
    url = new URL(String(options.url));
  } catch (cause) {
    return fail(path, 'is not a valid URL.', { cause });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    fail(
      path,
      `must use https: (got ${url.protocol}); whoever can change the key set in transit can ` +
        'sign any token. Plain http: is accepted only on loopback.',
      { code: 'PORTCULLIS_CONFIG_OUT_OF_RANGE' },
    );
  }
  const hmac = algorithms.filter(isHmacAlgorithm);
  if (hmac.length > 0) {
    fail(
      'algorithms',
      `${hmac.join(', ')} cannot be verified with a JWKS (it holds public keys); allow only ` +
        'the asymmetric algorithms your identity provider signs with.',
      { code: 'PORTCULLIS_CONFIG_CONFLICT' },
    );
  }
  const remote = createRemoteJWKSet(url, {
    cooldownDuration: options.cooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS,
    cacheMaxAge: options.cacheMaxAgeMs ?? DEFAULT_JWKS_CACHE_MAX_AGE_MS,
    timeoutDuration: options.timeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS,
    ...(options.headers === undefined ? {} : { headers: { ...options.headers } }),
  });
  return async function resolveRemoteKey(header, token) {
    try {
      return await remote(header, token);
    } catch (error) {
      if (TOKEN_VERDICTS.has(codeOf(error) as string)) throw error;
      throw new KeySourceUnavailable('The JSON Web Key Set could not be obtained.', {
        cause: error,
      });
    }
  };
}

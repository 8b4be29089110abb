import { PortcullisConfigError, type OptionSpec } from '@portcullis/core';

/**
 * The JWS algorithms this package verifies, and the kind of key each one needs.
 *
 * Every algorithm is bound to one key family. That binding, checked once at set-up and
 * again by jose on every token, is what defeats algorithm confusion: an `HS256` token
 * can only ever meet a shared secret, never an RSA public key used as an HMAC secret.
 */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];
/** An algorithm accepted in the `algorithms` allowlist. `none` is not one of them. */
export type JwtAlgorithm = HmacAlgorithm | AsymmetricAlgorithm;

const ALL: readonly string[] = [...HMAC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS];

export function isHmacAlgorithm(alg: string): alg is HmacAlgorithm {
  return (HMAC_ALGORITHMS as readonly string[]).includes(alg);
}

/** Bytes of HMAC output, which RFC 7518 §3.2 makes the minimum secret length. */
export const HMAC_MIN_SECRET_BYTES: Readonly<Record<HmacAlgorithm, number>> = {
  HS256: 32,
  HS384: 48,
  HS512: 64,
};

export const HMAC_HASH: Readonly<Record<HmacAlgorithm, string>> = {
  HS256: 'SHA-256',
  HS384: 'SHA-384',
  HS512: 'SHA-512',
};

/** The key families of Node's `KeyObject.asymmetricKeyType` (plus the EC curve). */
export type PublicKeyFamily = 'rsa' | 'rsa-pss' | 'P-256' | 'P-384' | 'P-521' | 'ed25519';

/** Which allowed algorithms a public key of this family can verify. */
export const ALGORITHMS_BY_FAMILY: Readonly<
  Record<PublicKeyFamily, readonly AsymmetricAlgorithm[]>
> = {
  rsa: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
  'rsa-pss': ['PS256', 'PS384', 'PS512'],
  'P-256': ['ES256'],
  'P-384': ['ES384'],
  'P-521': ['ES512'],
  ed25519: ['EdDSA', 'Ed25519'],
};

/**
 * One entry of the `algorithms` allowlist. `none` gets its own message: an unsigned
 * token proves nothing, and saying so is more useful than "unknown algorithm".
 */
export const algorithmSpec: OptionSpec = {
  expected: `one of ${ALL.join(', ')}`,
  check(value, path) {
    if (typeof value === 'string' && value.toLowerCase() === 'none') {
      throw new PortcullisConfigError(
        'PORTCULLIS_CONFIG_INVALID_TYPE',
        path,
        '`none` is never accepted: an unsigned token proves nothing. Remove it from `algorithms`.',
      );
    }
    if (typeof value !== 'string' || !ALL.includes(value)) {
      throw new PortcullisConfigError(
        'PORTCULLIS_CONFIG_INVALID_TYPE',
        path,
        `unknown algorithm; use some of ${ALL.join(', ')}.`,
      );
    }
  },
};

/** The allowlist without repeats, in the order given (the spec has checked each entry). */
export function distinctAlgorithms(list: readonly JwtAlgorithm[]): readonly JwtAlgorithm[] {
  return [...new Set(list)];
}

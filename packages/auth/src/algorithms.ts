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
 * Validates the `algorithms` allowlist once, at set-up. Throws with a message that says
 * how to fix the configuration.
 */
export function checkAlgorithms(value: unknown): readonly JwtAlgorithm[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(
      'authGuard: `algorithms` is required: list the JWS algorithms your issuer signs with, ' +
        "e.g. algorithms: ['HS256'] with a secret or ['RS256'] with a public key.",
    );
  }
  const seen = new Set<JwtAlgorithm>();
  for (const alg of value as unknown[]) {
    if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
      throw new TypeError(
        'authGuard: `none` is never accepted: an unsigned token proves nothing. ' +
          'Remove it from `algorithms`.',
      );
    }
    if (typeof alg !== 'string' || !ALL.includes(alg)) {
      throw new TypeError(
        `authGuard: unknown algorithm ${JSON.stringify(alg)} in \`algorithms\`; ` +
          `use some of ${ALL.join(', ')}.`,
      );
    }
    seen.add(alg as JwtAlgorithm);
  }
  return [...seen];
}

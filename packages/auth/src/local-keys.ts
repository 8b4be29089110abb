import { createPublicKey, type KeyObject } from 'node:crypto';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import {
  ALGORITHMS_BY_FAMILY,
  HMAC_HASH,
  HMAC_MIN_SECRET_BYTES,
  isHmacAlgorithm,
  type AsymmetricAlgorithm,
  type HmacAlgorithm,
  type JwtAlgorithm,
  type PublicKeyFamily,
} from './algorithms';
import type { ConfigProblem } from './config-problem';

/** A shared secret: text (UTF-8) or bytes. Several for a rotation. */
export type SecretInput = string | Uint8Array;

/**
 * A public key: an SPKI PEM (`-----BEGIN PUBLIC KEY-----`), an X.509 certificate PEM, a
 * public JWK (its `kid` and `alg` are honoured), or a PEM with the `kid` your issuer
 * puts in its tokens.
 */
export type PublicKeyInput = string | JWK | { readonly pem: string; readonly kid: string };

/** One key ready for one algorithm. Imported once, then reused for every token. */
export interface KeyCandidate {
  readonly kid: string | undefined;
  readonly alg: JwtAlgorithm;
  readonly key: CryptoKey;
}

/** What is checked synchronously at set-up; importing it into WebCrypto happens once, later. */
export interface PreparedKey {
  readonly kid: string | undefined;
  readonly alg: JwtAlgorithm;
  readonly import: () => Promise<CryptoKey>;
}

const encoder = new TextEncoder();

function looksLikePem(text: string): boolean {
  return text.trimStart().startsWith('-----BEGIN');
}

/** Shared secrets, checked against RFC 7518's minimum length for every allowed HS algorithm. */
export function prepareSecrets(
  input: SecretInput | readonly SecretInput[],
  algorithms: readonly JwtAlgorithm[],
  fail: ConfigProblem,
): PreparedKey[] {
  const secrets: readonly SecretInput[] = Array.isArray(input) ? input : [input as SecretInput];
  const hmac = algorithms.filter(isHmacAlgorithm);
  const asymmetric = algorithms.filter((alg) => !isHmacAlgorithm(alg));
  if (asymmetric.length > 0) {
    fail(
      'algorithms',
      `${asymmetric.join(', ')} need a public key, not a \`secret\`. ` +
        'Use `publicKeys` or `jwks` for them, or allow only HS256/HS384/HS512.',
      { code: 'PORTCULLIS_CONFIG_CONFLICT' },
    );
  }
  const prepared: PreparedKey[] = [];
  secrets.forEach((secret, index) => {
    const path = Array.isArray(input) ? `secret[${index}]` : 'secret';
    if (typeof secret === 'string' && looksLikePem(secret)) {
      fail(
        path,
        'looks like a PEM key. A public key is not a secret: pass it as `publicKeys` with ' +
          'an RS/PS/ES/EdDSA algorithm.',
      );
    }
    const bytes = typeof secret === 'string' ? encoder.encode(secret) : new Uint8Array(secret);
    for (const alg of hmac) {
      const minimum = HMAC_MIN_SECRET_BYTES[alg];
      if (bytes.byteLength < minimum) {
        fail(
          path,
          `has ${bytes.byteLength} bytes; ${alg} needs at least ${minimum} (RFC 7518 §3.2). ` +
            `Generate one with crypto.randomBytes(${minimum}).toString('base64url').`,
          { code: 'PORTCULLIS_CONFIG_OUT_OF_RANGE' },
        );
      }
      prepared.push({ kid: undefined, alg, import: () => importHmac(bytes, alg) });
    }
  });
  return prepared;
}

function importHmac(bytes: Uint8Array, alg: HmacAlgorithm): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: HMAC_HASH[alg] }, false, [
    'verify',
  ]);
}

const EC_CURVES: Readonly<Record<string, PublicKeyFamily>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

function familyOf(key: KeyObject, path: string, fail: ConfigProblem): PublicKeyFamily {
  const type = key.asymmetricKeyType;
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) {
      fail(path, `is a ${bits}-bit RSA key; use 2048 bits or more.`, {
        code: 'PORTCULLIS_CONFIG_OUT_OF_RANGE',
      });
    }
    return type;
  }
  if (type === 'ec') {
    const family = EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (family !== undefined) return family;
  }
  if (type === 'ed25519') return 'ed25519';
  return fail(
    path,
    `is a ${type ?? 'unknown'} key; supported are RSA (2048+ bits), EC P-256/P-384/P-521 ` +
      'and Ed25519.',
  );
}

interface ParsedPublicKey {
  readonly key: KeyObject;
  readonly kid: string | undefined;
  /** The `alg` a JWK pins itself to, if any. */
  readonly alg: string | undefined;
}

function parsePem(pem: string, path: string, fail: ConfigProblem): KeyObject {
  if (pem.includes('PRIVATE KEY')) {
    fail(
      path,
      'is a private key. The server needs only the public key ' +
        '(`-----BEGIN PUBLIC KEY-----`); keep the private key with the issuer.',
    );
  }
  try {
    return createPublicKey(pem);
  } catch (cause) {
    return fail(
      path,
      'is not a readable public key; pass an SPKI PEM (`-----BEGIN PUBLIC KEY-----`), an ' +
        'X.509 certificate PEM, or a public JWK.',
      { cause },
    );
  }
}

function parsePublicKey(input: PublicKeyInput, path: string, fail: ConfigProblem): ParsedPublicKey {
  if (typeof input === 'string') {
    return { key: parsePem(input, path, fail), kid: undefined, alg: undefined };
  }
  if ('pem' in input && typeof input.pem === 'string') {
    // The spec has checked `{ pem, kid }`: both non-empty strings, nothing else.
    return { key: parsePem(input.pem, path, fail), kid: input.kid as string, alg: undefined };
  }
  const jwk = input as JWK;
  if (jwk.kty === 'oct') fail(path, 'is a symmetric JWK; pass its bytes as `secret`.');
  if (jwk.d !== undefined) {
    fail(path, 'is a private JWK (it has "d"); pass only the public members.');
  }
  if (jwk.use !== undefined && jwk.use !== 'sig') {
    fail(path, `has use "${String(jwk.use)}"; only "sig" keys verify tokens.`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as JWK & { kty: string }, format: 'jwk' });
  } catch (cause) {
    return fail(path, 'is not a valid public JWK.', { cause });
  }
  const kid = typeof jwk.kid === 'string' && jwk.kid.length > 0 ? jwk.kid : undefined;
  const alg = typeof jwk.alg === 'string' ? jwk.alg : undefined;
  return { key, kid, alg };
}

/**
 * Public keys, each checked synchronously (readable, public, strong enough, usable with
 * at least one allowed algorithm) and paired with every allowed algorithm it can verify.
 */
export function preparePublicKeys(
  input: PublicKeyInput | readonly PublicKeyInput[],
  algorithms: readonly JwtAlgorithm[],
  fail: ConfigProblem,
): PreparedKey[] {
  const keys: readonly PublicKeyInput[] = Array.isArray(input) ? input : [input as PublicKeyInput];
  const hmac = algorithms.filter(isHmacAlgorithm);
  if (hmac.length > 0) {
    fail(
      'algorithms',
      `${hmac.join(', ')} cannot be allowed with public keys: an attacker would sign tokens ` +
        'with your public key as the HMAC secret (algorithm confusion). Allow only the ' +
        'asymmetric algorithm your issuer uses, e.g. RS256.',
      { code: 'PORTCULLIS_CONFIG_CONFLICT' },
    );
  }
  const allowed = algorithms as readonly AsymmetricAlgorithm[];
  const covered = new Set<JwtAlgorithm>();
  const prepared: PreparedKey[] = [];
  keys.forEach((entry, index) => {
    const path = Array.isArray(input) ? `publicKeys[${index}]` : 'publicKeys';
    const parsed = parsePublicKey(entry, path, fail);
    const family = familyOf(parsed.key, path, fail);
    const usable = ALGORITHMS_BY_FAMILY[family].filter(
      (alg) => allowed.includes(alg) && (parsed.alg === undefined || parsed.alg === alg),
    );
    if (usable.length === 0) {
      fail(
        path,
        `(${family}${parsed.alg === undefined ? '' : `, alg ${parsed.alg}`}) cannot verify ` +
          `any of ${allowed.join(', ')}; allow one of ` +
          `${ALGORITHMS_BY_FAMILY[family].join(', ')} or remove the key.`,
        { code: 'PORTCULLIS_CONFIG_CONFLICT' },
      );
    }
    const jwk = parsed.key.export({ format: 'jwk' }) as JWK;
    for (const alg of usable) {
      covered.add(alg);
      prepared.push({
        kid: parsed.kid,
        alg,
        import: () => importJWK(jwk, alg) as Promise<CryptoKey>,
      });
    }
  });
  const unused = allowed.filter((alg) => !covered.has(alg));
  if (unused.length > 0) {
    fail(
      'algorithms',
      `no configured public key can verify ${unused.join(', ')}; remove it from ` +
        '`algorithms` or add a matching key.',
      { code: 'PORTCULLIS_CONFIG_CONFLICT' },
    );
  }
  return prepared;
}

/** Imports every prepared key once; concurrent callers share one import. */
export function keyring(prepared: readonly PreparedKey[]): () => Promise<readonly KeyCandidate[]> {
  let loading: Promise<readonly KeyCandidate[]> | undefined;
  return () => {
    loading ??= Promise.all(
      prepared.map(async (entry) => ({
        kid: entry.kid,
        alg: entry.alg,
        key: await entry.import(),
      })),
    ).catch((error: unknown) => {
      // Do not cache a failure: the next token tries the import again.
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

/**
 * The keys a token may have been signed with: same algorithm, and the same `kid` when
 * both the token and the key name one (a key without a `kid` matches any token).
 */
export function selectCandidates(
  candidates: readonly KeyCandidate[],
  alg: unknown,
  kid: unknown,
): KeyCandidate[] {
  const selected: KeyCandidate[] = [];
  for (const candidate of candidates) {
    if (candidate.alg !== alg) continue;
    if (candidate.kid !== undefined && typeof kid === 'string' && candidate.kid !== kid) continue;
    selected.push(candidate);
  }
  return selected;
}

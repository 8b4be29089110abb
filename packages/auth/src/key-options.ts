/** The specs of the key options: `secret`, `publicKeys`, and the one-key-source rule. */
import { PortcullisConfigError, isPlainObject, opt, type OptionSpec } from '@portcullis/core';

const SECRET_EXPECTED = 'a non-empty string or a Uint8Array';
const secretEntry = opt.custom(
  SECRET_EXPECTED,
  (value) => (typeof value === 'string' && value.length > 0) || value instanceof Uint8Array,
);

/** `secret`: one shared secret, or several (a rotation). */
export const secretSpec: OptionSpec = opt.union(
  secretEntry,
  opt.array(secretEntry, { minLength: 1 }),
);

const pemWithKid = opt.object({
  pem: opt.required(opt.string()),
  kid: opt.required(opt.string()),
});

const PUBLIC_KEY_EXPECTED = 'a PEM string, a public JWK, or { pem, kid }';

function isJwkLike(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { kty?: unknown }).kty === 'string'
  );
}

/** One public key. A JWK's members are jose's to judge; `{ pem, kid }` is ours. */
const publicKeyEntry: OptionSpec = {
  expected: PUBLIC_KEY_EXPECTED,
  check(value, path) {
    if (typeof value === 'string' && value.length > 0) return;
    if (isPlainObject(value) && 'pem' in value) {
      pemWithKid.check(value, path);
      return;
    }
    // A JWK may come from another realm (`KeyObject#export`, a worker): any object will do.
    if (isJwkLike(value)) return;
    throw new PortcullisConfigError(
      'PORTCULLIS_CONFIG_INVALID_TYPE',
      path,
      `must be ${PUBLIC_KEY_EXPECTED}, or a non-empty list of them.`,
    );
  },
};

/** `publicKeys`: one key, or several (a rotation); each entry reports its own path. */
export const publicKeysSpec: OptionSpec = {
  expected: `${PUBLIC_KEY_EXPECTED}, or a non-empty list of them`,
  check(value, path) {
    if (!Array.isArray(value)) {
      publicKeyEntry.check(value, path);
      return;
    }
    if (value.length === 0) {
      throw new PortcullisConfigError(
        'PORTCULLIS_CONFIG_OUT_OF_RANGE',
        path,
        'is an empty list: give at least one public key.',
      );
    }
    value.forEach((entry: unknown, index) => publicKeyEntry.check(entry, `${path}[${index}]`));
  },
};

const KEY_SOURCES = ['secret', 'publicKeys', 'jwks'] as const;
const ONE_KEY_SOURCE =
  'pass exactly one of `secret` (HS*), `publicKeys` (RS/PS/ES/EdDSA) or `jwks` (a remote key set URL).';

/**
 * The options object, plus the rule that exactly one key source is given. A key that is
 * present but `undefined` is what `secret: process.env.JWT_SECRET` gives when the
 * variable is unset: it is named as such, not reported as "no key".
 */
export function withOneKeySource(spec: OptionSpec): OptionSpec {
  return {
    ...spec,
    check(value, path) {
      if (value === undefined || value === null) {
        throw new PortcullisConfigError(
          'PORTCULLIS_CONFIG_MISSING',
          path,
          "options are required: at least `algorithms` and a key, e.g. { algorithms: ['HS256'], secret }.",
        );
      }
      spec.check(value, path);
      const options = value as Readonly<Record<string, unknown>>;
      const given = KEY_SOURCES.filter((key) => options[key] !== undefined);
      if (given.length === 1) return;
      if (given.length > 1) {
        throw new PortcullisConfigError(
          'PORTCULLIS_CONFIG_CONFLICT',
          path,
          `${ONE_KEY_SOURCE} Got ${given.join(' and ')}.`,
        );
      }
      const unset = KEY_SOURCES.find((key) => key in options);
      throw new PortcullisConfigError(
        'PORTCULLIS_CONFIG_MISSING',
        path,
        unset === undefined
          ? ONE_KEY_SOURCE
          : `${unset} was given but is undefined (is the environment variable set?).`,
      );
    },
  };
}

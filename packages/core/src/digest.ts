import { hash } from 'node:crypto';

/** Bytes whose base64url text begins with the 22 characters kept (17 bytes → 23 characters). */
const DIGEST_BYTES_ENCODED = 17;
const DIGEST_LENGTH = 22;

/**
 * A short, stable stand-in for a value that must not be kept or sent in clear (a
 * session id, a token): SHA-256, first 128 bits, base64url (22 characters). The same
 * on every node and in every package, so keys written by one (a denylist entry, a
 * revocation message) are found by another.
 *
 * Digests are kept per socket (the revocation index, the verified-token cache), so the
 * result is a flat 22-byte string: `.slice(0, 22)` of the 43-character encoding would be
 * a view that keeps the whole encoding alive, about 80 bytes per digest instead of 36.
 */
export function shortDigest(value: string): string {
  // One-shot `hash` (no Hash object): about a fifth less time than `createHash`.
  const bytes = hash('sha256', value, 'buffer');
  // The characters are ASCII: written back as bytes, read out as a fresh copy.
  bytes.write(bytes.toString('base64url', 0, DIGEST_BYTES_ENCODED), 0, 'latin1');
  return bytes.toString('latin1', 0, DIGEST_LENGTH);
}

import { hash } from 'node:crypto';

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
  // The one-shot `hash` straight to text: no Hash object and no Buffer, the two costly
  // allocations. `JSON.parse` of the quoted slice copies it into a fresh flat string
  // (base64url needs no escaping): 0.5 µs in all, against 1.2 µs through a Buffer.
  return JSON.parse(`"${hash('sha256', value, 'base64url').slice(0, DIGEST_LENGTH)}"`) as string;
}

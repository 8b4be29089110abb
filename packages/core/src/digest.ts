import { createHash } from 'node:crypto';

/**
 * A short, stable stand-in for a value that must not be kept or sent in clear (a
 * session id, a token): SHA-256, first 128 bits, base64url (22 characters). The same
 * on every node and in every package, so keys written by one (a denylist entry, a
 * revocation message) are found by another.
 */
export function shortDigest(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}

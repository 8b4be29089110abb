import { shortDigest } from '@portcullis/core';

export const DEFAULT_CACHE_ENTRIES = 1_000;

/**
 * Tokens this verifier has accepted, so that a client that reconnects, or several tabs
 * sharing one token, do not pay for the signature check again on this node.
 *
 * - The key is a SHA-256 digest of the whole token (128 bits kept): the token itself,
 *   a bearer secret, is never held; and any change to header, payload or signature is
 *   another key, so a forged variant of a cached token is verified in full.
 * - The value is what the verifier needs again (the verified user, shared read-only by
 *   the sockets it opened; with a `validate` hook, also the claims the hook is given).
 * - An entry serves only until the token would stop passing jose's time checks
 *   (`servesUntil`: `exp`, and `iat + maxTokenAge`, plus the clock tolerance). It is
 *   dropped then, or when the cache is full (oldest first). Revocation is not the
 *   cache's business: the denylist is read at every handshake, after authentication,
 *   cached token or not.
 */
export class VerifiedTokenCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly maxEntries: number,
    /** Epoch ms after which the value's token no longer passes; `-Infinity` when never cached. */
    private readonly servesUntil: (value: V) => number,
  ) {}

  static keyOf(token: string): string {
    return shortDigest(token);
  }

  /** What a token was verified as, while the token would still pass. */
  get(key: string, now: number): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    if (now < this.servesUntil(value)) return value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V, now: number): void {
    // A token without an expiry is not cached: nothing would ever retire the entry.
    if (!(now < this.servesUntil(value))) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Until when jose would accept a token, in epoch ms, from its `exp` and `iat` in
 * **seconds**: `exp` (and `iat + maxTokenAge`) plus the clock tolerance. `-Infinity`
 * when a needed time is missing.
 */
export function tokenServesUntil(
  exp: unknown,
  iat: unknown,
  toleranceMs: number,
  maxTokenAgeMs: number | false,
): number {
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return -Infinity;
  let until = exp * 1000 + toleranceMs;
  if (maxTokenAgeMs !== false) {
    if (typeof iat !== 'number' || !Number.isFinite(iat)) return -Infinity;
    until = Math.min(until, iat * 1000 + maxTokenAgeMs + toleranceMs);
  }
  return until;
}

import { shortDigest, type PortcullisUser } from '@portcullis/core';

export const DEFAULT_CACHE_ENTRIES = 1_000;

/**
 * Tokens this verifier has accepted, so that a client that reconnects, or several tabs
 * sharing one token, do not pay for the signature check again on this node.
 *
 * - The key is a SHA-256 digest of the whole token (128 bits kept): the token itself,
 *   a bearer secret, is never held; and any change to header, payload or signature is
 *   another key, so a forged variant of a cached token is verified in full.
 * - The value is the verified user, shared read-only by the sockets it opened.
 * - An entry serves only until the token would stop passing jose's time checks: `exp`
 *   (and `iat + maxTokenAge`) plus the clock tolerance. It is dropped then, or when the
 *   cache is full (oldest first). Revocation is not the cache's business: the denylist
 *   is read at every handshake, after authentication, cached token or not.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, PortcullisUser>();

  constructor(
    private readonly maxEntries: number,
    private readonly toleranceMs: number,
    private readonly maxTokenAgeMs: number | false,
  ) {}

  static keyOf(token: string): string {
    return shortDigest(token);
  }

  /** The user a token was verified as, while the token would still pass. */
  get(key: string, now: number): PortcullisUser | undefined {
    const user = this.entries.get(key);
    if (user === undefined) return undefined;
    if (now < this.servesUntil(user)) return user;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, user: PortcullisUser, now: number): void {
    // A token without an expiry is not cached: nothing would ever retire the entry.
    if (!(now < this.servesUntil(user))) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, user);
  }

  get size(): number {
    return this.entries.size;
  }

  /** What jose checks, from the token's own `exp` and `iat` (seconds), whatever `claimNames` says. */
  private servesUntil(user: PortcullisUser): number {
    const { exp, iat } = user.claims;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return -Infinity;
    let until = exp * 1000 + this.toleranceMs;
    if (this.maxTokenAgeMs !== false) {
      if (typeof iat !== 'number' || !Number.isFinite(iat)) return -Infinity;
      until = Math.min(until, iat * 1000 + this.maxTokenAgeMs + this.toleranceMs);
    }
    return until;
  }
}

import type { JWTPayload } from 'jose';

/** Which claims `user.claims` keeps: a list of names, or `'all'` for the whole payload. */
export type KeepClaims = readonly string[] | 'all';

/** `user.claims` when nothing is kept: one frozen object shared by every such user. */
const NO_CLAIMS: Readonly<Record<string, unknown>> = Object.freeze({});

/** Distinct role lists kept at most; past that, each user keeps its token's own list. */
const MAX_ROLE_SETS = 256;

/**
 * What a verified user keeps of its token's claims. The user's own fields (id, roles,
 * session and token ids, issue and expiry times) are read from the claims first; any
 * claim kept beside them stays in memory as long as the socket, goes to every node that
 * calls `fetchSockets()` and is stored for connection state recovery. So by default
 * none is (`keepClaims: []`): `user.claims` is one shared empty object, and the payload,
 * its strings and its arrays go once the user is built.
 *
 * Role lists are shared too: an app has a handful of role sets and many sockets, so
 * each distinct list is kept once (up to 256) and handed to every user holding it. The
 * token's own array would otherwise be one array and its strings per socket.
 */
export class ClaimKeeper {
  private readonly roleSets = new Map<string, readonly string[]>();

  constructor(private readonly keep: KeepClaims) {}

  /** The claims `user.claims` holds. */
  claimsOf(claims: JWTPayload): Readonly<Record<string, unknown>> {
    if (this.keep === 'all') return claims;
    let kept: Record<string, unknown> | undefined;
    for (const name of this.keep) {
      if (!Object.prototype.hasOwnProperty.call(claims, name)) continue;
      // Defined, not assigned: a claim named `__proto__` stays a plain property.
      Object.defineProperty((kept ??= {}), name, {
        value: claims[name],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return kept ?? NO_CLAIMS;
  }

  /** The shared list equal to `roles`; `roles` itself while the whole payload is kept. */
  sharedRoles(roles: readonly string[]): readonly string[] {
    // The payload keeps its own array alive anyway: sharing would save nothing.
    if (this.keep === 'all') return roles;
    // JSON of an array of strings names it unambiguously (a join could not tell
    // ['a,b'] from ['a', 'b']).
    const key = JSON.stringify(roles);
    const known = this.roleSets.get(key);
    if (known !== undefined) return known;
    if (this.roleSets.size >= MAX_ROLE_SETS) return roles;
    const shared = Object.freeze([...roles]);
    this.roleSets.set(key, shared);
    return shared;
  }
}

import { shortDigest, type PortcullisUser } from '@portcullis/core';

/** Ids digested lately, with their digests; emptied whole when it reaches the bound. */
const recentDigests = new Map<string, string>();
const MAX_RECENT_DIGESTS = 512;
/** Longer ids are digested each time: the bound is on entries, so keep each one small. */
const MAX_REMEMBERED_ID_LENGTH = 256;

/**
 * Session ids and token ids may be bearer secrets in some systems (a session cookie's
 * value used as `sid`). They never appear in clear in a room name or a Redis key: a
 * SHA-256 digest (128 bits, base64url) is used instead, on every node alike.
 *
 * A handshake digests its session and token ids three or four times (the denylist read,
 * the index, the release), and a client that reconnects brings the same ids again:
 * about 1.5 µs of SHA-256 each, against a map lookup here. The last few hundred are
 * remembered (at most 512, the map emptied whole when full), so memory stays flat
 * whatever the number of sockets; the ids kept are those the verified-token cache and
 * the live sockets' users hold anyway.
 */
export function digest(value: string): string {
  const known = recentDigests.get(value);
  if (known !== undefined) return known;
  const computed = shortDigest(value);
  if (value.length > MAX_REMEMBERED_ID_LENGTH) return computed;
  if (recentDigests.size >= MAX_RECENT_DIGESTS) recentDigests.clear();
  recentDigests.set(value, computed);
  return computed;
}

// The context's fields only, never raw claims: whatever authenticated the socket (a JWT
// with any claim names, a session cookie, an API key) says which credential it was and
// when it was issued, and revocation works alike for all of them.

/** The credential's id (`user.tokenId`; a JWT's `jti` as auth maps it) when usable. */
export function tokenIdOf(user: PortcullisUser): string | undefined {
  const { tokenId } = user;
  return typeof tokenId === 'string' && tokenId.length > 0 ? tokenId : undefined;
}

/** When the credential was issued (`user.issuedAt`, epoch milliseconds), when known. */
export function issuedAtMsOf(user: PortcullisUser): number | undefined {
  const { issuedAt } = user;
  return typeof issuedAt === 'number' && Number.isFinite(issuedAt) ? issuedAt : undefined;
}

/** The session id when it is a usable string. */
export function sessionIdOf(user: PortcullisUser): string | undefined {
  const { sessionId } = user;
  return typeof sessionId === 'string' && sessionId.length > 0 ? sessionId : undefined;
}

/** The digest of the session id (as in the denylist's keys), when the user has one. */
export function sessionDigestOf(user: PortcullisUser): string | undefined {
  const sessionId = sessionIdOf(user);
  return sessionId === undefined ? undefined : digest(sessionId);
}

/** The digest of the credential's id, when the user has one. */
export function tokenDigestOf(user: PortcullisUser): string | undefined {
  const tokenId = tokenIdOf(user);
  return tokenId === undefined ? undefined : digest(tokenId);
}

/** Checks an id given to a revoke function, with a message that says what was wrong. */
export function checkId(value: unknown, what: string, caller: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${caller}: ${what} must be a non-empty string (got ${typeof value}).`);
  }
  return value;
}

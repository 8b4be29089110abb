import { createHash } from 'node:crypto';
import type { PortcullisUser } from '@portcullis/core';

/**
 * Session ids and token ids may be bearer secrets in some systems (a session cookie's
 * value used as `sid`). They never appear in clear in a room name or a Redis key: a
 * SHA-256 digest (128 bits, base64url) is used instead, on every node alike.
 */
export function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}

/** The `jti` claim when it is a usable string. */
export function tokenIdOf(user: PortcullisUser): string | undefined {
  const jti = user.claims.jti;
  return typeof jti === 'string' && jti.length > 0 ? jti : undefined;
}

/** The `iat` claim in epoch milliseconds, when present. */
export function issuedAtMsOf(user: PortcullisUser): number | undefined {
  const iat = user.claims.iat;
  return typeof iat === 'number' && Number.isFinite(iat) ? iat * 1000 : undefined;
}

/** The session id when it is a usable string. */
export function sessionIdOf(user: PortcullisUser): string | undefined {
  const { sessionId } = user;
  return typeof sessionId === 'string' && sessionId.length > 0 ? sessionId : undefined;
}

/** Checks an id given to a revoke function, with a message that says what was wrong. */
export function checkId(value: unknown, what: string, caller: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${caller}: ${what} must be a non-empty string (got ${typeof value}).`);
  }
  return value;
}

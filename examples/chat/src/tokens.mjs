import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

/**
 * Access tokens of the demo's stand-in identity provider: short-lived HS256 JWTs.
 * A real app gets these from its own identity provider (Auth0, Keycloak, Cognito, its
 * own login service…) and gives the chat server only the key to check them.
 */
export const ISSUER = 'portcullis-chat-demo';
export const AUDIENCE = 'portcullis-chat';

/** Anyone may sign in under any well-formed name; the name `admin` gets the admin role. */
export const USER_NAME = /^[A-Za-z0-9_-]{1,24}$/;
export const rolesFor = (name) => (name === 'admin' ? ['member', 'admin'] : ['member']);

/** Room capabilities carried in the token (`@portcullis/rooms`): admins open every private room. */
const capabilitiesFor = (roles) =>
  roles.includes('admin') ? { rooms: { 'private:*': ['join', 'publish'] } } : {};

/** A token that would live less than this is not worth issuing: the sign-in is ending. */
const MIN_TOKEN_LIFETIME_MS = 1000;

/** The auth options the chat server checks these tokens with (see guards.mjs). */
export const authOptions = (secret) => ({
  secret,
  algorithms: ['HS256'],
  issuer: ISSUER,
  audience: AUDIENCE,
});

export function createTokenIssuer({ secret, tokenTtlMs, now = Date.now }) {
  const key = new TextEncoder().encode(secret);
  /**
   * A token for a sign-in, or `undefined` when the sign-in is about to end. A token never
   * outlives its sign-in: once the sign-in ends, the last token ends with it and the
   * socket's session expires.
   */
  return async function issueToken(session) {
    const issuedAt = now();
    const expiresAtS = Math.floor(Math.min(issuedAt + tokenTtlMs, session.expiresAt) / 1000);
    if (expiresAtS * 1000 - issuedAt < MIN_TOKEN_LIFETIME_MS) return undefined;
    const token = await new SignJWT({
      roles: session.roles,
      sid: session.sid,
      ...capabilitiesFor(session.roles),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(session.userId)
      .setIssuedAt(Math.floor(issuedAt / 1000))
      .setExpirationTime(expiresAtS)
      .setJti(randomUUID())
      .sign(key);
    return { token, expiresAt: expiresAtS * 1000 };
  };
}

/**
 * Invitations: a room token naming one room for one user (`sub`), with its own `exp`,
 * signed with the chat's key. The rooms guard checks it with the handshake's rules and
 * takes the user out of the room when it expires.
 */
export function createRoomInviter({ secret, inviteTtlMs, now = Date.now }) {
  const key = new TextEncoder().encode(secret);
  return async function inviteToRoom(userId, roomKey) {
    const issuedAt = now();
    const expiresAtS = Math.floor((issuedAt + inviteTtlMs) / 1000);
    const token = await new SignJWT({ room_grants: { [roomKey]: ['join', 'publish'] } })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(userId)
      .setIssuedAt(Math.floor(issuedAt / 1000))
      .setExpirationTime(expiresAtS)
      .setJti(randomUUID())
      .sign(key);
    return { token, expiresAt: expiresAtS * 1000 };
  };
}

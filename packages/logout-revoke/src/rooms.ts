import { getContext, type AnySocket, type PortcullisUser } from '@portcullis/core';
import { digest, sessionIdOf, tokenIdOf } from './identity';

/**
 * Every socket with a user joins one room per identity a revocation can target. A
 * revocation is then a broadcast to a room, which the Socket.io adapter carries to every
 * node (`@socket.io/redis-adapter`), and which `@socket.io/redis-emitter` can reach
 * from a process that is not a Socket.io server.
 */
export const ROOM_PREFIX = 'portcullis:';
const USER_ROOM = `${ROOM_PREFIX}user:`;
const SESSION_ROOM = `${ROOM_PREFIX}session:`;
const TOKEN_ROOM = `${ROOM_PREFIX}token:`;

/** `portcullis:user:<user id>` */
export function userRoom(userId: string): string {
  return USER_ROOM + userId;
}

/** `portcullis:session:<digest of the session id>` */
export function sessionRoom(sessionId: string): string {
  return SESSION_ROOM + digest(sessionId);
}

/** `portcullis:token:<digest of the jti>` */
export function tokenRoom(tokenId: string): string {
  return TOKEN_ROOM + digest(tokenId);
}

/** The rooms a socket of this user belongs in. */
export function revocationRooms(user: PortcullisUser): string[] {
  const rooms = [userRoom(user.id)];
  const sessionId = sessionIdOf(user);
  if (sessionId !== undefined) rooms.push(sessionRoom(sessionId));
  const tokenId = tokenIdOf(user);
  if (tokenId !== undefined) rooms.push(tokenRoom(tokenId));
  return rooms;
}

function isRevocationRoom(room: string): boolean {
  return room.startsWith(USER_ROOM) || room.startsWith(SESSION_ROOM) || room.startsWith(TOKEN_ROOM);
}

/**
 * Puts the socket in the rooms of the user in its context, and out of rooms of an
 * identity it no longer has (after a token refresh changed the `jti`, or the user was
 * dropped from the context). Call it whenever the context's user changes.
 */
export function syncRevocationRooms(socket: AnySocket): void {
  const user = getContext(socket).user;
  const wanted = user === undefined ? [] : revocationRooms(user);
  for (const room of socket.rooms) {
    if (isRevocationRoom(room) && !wanted.includes(room)) socket.leave(room);
  }
  if (wanted.length > 0) socket.join(wanted);
}

/**
 * The chat's rooms as Socket.io rooms. Open rooms anyone signed in may join are
 * `room:<name>`; private rooms are `private:<name>` and open only to admins (a
 * capability in their tokens) and to users an admin invited (a room token). The
 * prefixes keep a name typed in the page from ever being a socket id or a user channel.
 */

/** Rooms that need an invitation. */
export const PRIVATE_ROOMS = new Set(['backstage']);
/** How long an invitation lets its user into the room (the room token's lifetime). */
export const INVITE_TTL_MS = 60 * 60 * 1000;
/** How many rooms one tab may be in at once. */
export const MAX_ROOMS_PER_SOCKET = 10;

export const isPrivateRoom = (name) => PRIVATE_ROOMS.has(name);
export const roomKey = (name) => `${isPrivateRoom(name) ? 'private' : 'room'}:${name}`;
/** The page's name of a Socket.io room (`room:general` → `general`). */
export const roomName = (key) => key.slice(key.indexOf(':') + 1);
/** Every socket of a user is in this room: invitations reach all their tabs, on any node. */
export const userChannel = (userId) => `user:${userId}`;

/** The `rooms` key of the preset's options: who may join which room. */
export const roomsOptions = {
  rules: { 'room:*': () => true },
  // Admins' tokens carry { "private:*": ["join", "publish"] } (see tokens.mjs).
  capabilityClaim: 'rooms',
  // Invitations are room tokens signed with the chat's key, checked like handshake tokens.
  roomTokens: { warnBeforeMs: 60_000 },
  maxRoomsPerSocket: MAX_ROOMS_PER_SOCKET,
  // Room names are chosen by users but hold nothing secret: they may appear in events.
  loggableRooms: ['room:*', 'private:*'],
};

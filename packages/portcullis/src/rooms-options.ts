import { createTokenVerifier, type AuthGuardOptions } from '@portcullis/auth';
import type { RoomsGuardOptions, RoomTokenOptions } from '@portcullis/rooms';

/**
 * The preset's `rooms` key: the guard's options, except that room tokens need no
 * verifier of their own: `roomTokens: true` (or an object without `verify`) checks them
 * with the handshake's keys and rules.
 */
export type PresetRoomsOptions = Omit<RoomsGuardOptions, 'roomTokens'> & {
  roomTokens?: boolean | Omit<RoomTokenOptions, 'verify'> | RoomTokenOptions;
};

/** The rooms guard's options, with the handshake's verifier for room tokens. */
export function roomsOptions(
  given: PresetRoomsOptions,
  auth: AuthGuardOptions | undefined,
): RoomsGuardOptions {
  const { roomTokens, ...rest } = given;
  if (roomTokens === undefined || roomTokens === false) return rest;
  const settings = roomTokens === true ? {} : roomTokens;
  if ('verify' in settings && settings.verify !== undefined) {
    return { ...rest, roomTokens: settings as RoomTokenOptions };
  }
  if (auth === undefined) {
    throw new TypeError(
      'portcullis: rooms.roomTokens needs auth (room tokens are checked with its keys), or a verify function of your own.',
    );
  }
  const verify = createTokenVerifier(auth);
  return {
    ...rest,
    roomTokens: {
      ...settings,
      verify: async (token) => (await verify(token)).claims,
    },
  };
}

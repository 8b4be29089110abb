import { PortcullisConfigError } from '@portcullis/core';
import type { TokenVerifier } from '@portcullis/auth';
import type { RoomsGuardOptions, RoomTokenOptions } from '@portcullis/rooms';

/**
 * The preset's `rooms` key: the guard's options, except that room tokens need no
 * verifier of their own: `roomTokens: true` (or an object without `verify`) checks them
 * with the handshake's keys and rules.
 */
export type PresetRoomsOptions = Omit<RoomsGuardOptions, 'roomTokens'> & {
  roomTokens?: boolean | Omit<RoomTokenOptions, 'verify'> | RoomTokenOptions;
};

/**
 * The rooms guard's options, with the handshake's verifier for room tokens (the same
 * key cache as the handshake: `verifyHandshakeToken` is the auth guard's own).
 */
export function roomsOptions(
  given: PresetRoomsOptions,
  verifyHandshakeToken: TokenVerifier | undefined,
): RoomsGuardOptions {
  const { roomTokens, ...rest } = given;
  if (roomTokens === undefined || roomTokens === false) return rest;
  const settings = roomTokens === true ? {} : roomTokens;
  if ('verify' in settings && settings.verify !== undefined) {
    return { ...rest, roomTokens: settings as RoomTokenOptions };
  }
  if (verifyHandshakeToken === undefined) {
    throw new PortcullisConfigError(
      'PORTCULLIS_CONFIG_CONFLICT',
      'roomTokens',
      'needs auth (room tokens are checked with its keys), or a verify function of your own.',
    );
  }
  const verify = verifyHandshakeToken;
  return {
    ...rest,
    roomTokens: {
      ...settings,
      verify: async (token) => (await verify(token)).claims,
    },
  };
}

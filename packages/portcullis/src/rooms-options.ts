import { PortcullisConfigError } from '@portcullis/core';
import type { AuthGuardOptions, TokenVerifier } from '@portcullis/auth';
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
      verify: async (token) => {
        const user = await verify(token);
        // What rooms reads of a room token: its grants claim (kept, see
        // `keepingRoomClaims`), its user (the verified user's id, whatever claim holds
        // it) and its `exp` (kept too when `claimNames.expiresAt` names another claim).
        const { exp } = user.claims;
        return {
          ...user.claims,
          sub: user.id,
          exp:
            typeof exp === 'number'
              ? exp
              : user.expiresAt === undefined
                ? undefined
                : user.expiresAt / 1000,
        };
      },
    },
  };
}

/**
 * The auth options with the claims the rooms guard reads added to `keepClaims`: the
 * capability claim of handshake tokens and the grants claim of room tokens (which the
 * preset checks with the handshake's verifier). Other claims stay out of `user.claims`.
 */
export function keepingRoomClaims(
  auth: AuthGuardOptions,
  rooms: PresetRoomsOptions | undefined,
): AuthGuardOptions {
  if (rooms === undefined || auth.keepClaims === 'all') return auth;
  const read: string[] = [];
  if (rooms.capabilityClaim !== false) read.push(rooms.capabilityClaim ?? 'rooms');
  const tokens = rooms.roomTokens;
  if (
    tokens !== undefined &&
    tokens !== false &&
    !(typeof tokens === 'object' && 'verify' in tokens && tokens.verify !== undefined)
  ) {
    read.push((tokens === true ? undefined : tokens.claim) ?? 'room_grants');
    // A room token ends at its own `exp`, which the user's `expiresAt` is only with the
    // default claim names.
    const expiresAt = auth.claimNames?.expiresAt;
    if (expiresAt !== undefined && expiresAt !== 'exp') read.push('exp');
  }
  const kept = auth.keepClaims ?? [];
  const missing = read.filter((claim) => !kept.includes(claim));
  return missing.length === 0 ? auth : { ...auth, keepClaims: [...kept, ...missing] };
}

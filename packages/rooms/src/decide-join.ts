import { GuardError, getContext, type AnySocket } from '@portcullis/core';
import type { ResolvedRoomsOptions } from './options';
import { compileRoomPattern } from './room-names';
import { JOIN, PUBLISH, rightsFrom } from './rights';

/** What a join was granted: rights, and the room token's expiry when one gave them. */
export interface JoinDecision {
  readonly rights: number;
  readonly expiresAt: number | undefined;
}

const forbidden = new GuardError('FORBIDDEN', { message: 'You may not join this room.' });

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rights from the handshake token's capabilities (patterns → rights words). */
function capabilityRights(
  claims: Readonly<Record<string, unknown>> | undefined,
  claim: string | undefined,
  room: string,
): number {
  if (claim === undefined || claims === undefined) return 0;
  const capabilities = claims[claim];
  if (!isRecord(capabilities)) return 0;
  let rights = 0;
  for (const [source, words] of Object.entries(capabilities)) {
    let matches: boolean;
    try {
      matches = compileRoomPattern(source).matches(room);
    } catch {
      continue; // a pattern outside the room alphabet grants nothing
    }
    if (matches) rights |= rightsFrom(words);
  }
  return rights;
}

/** Rights from a room token naming this exact room, for this user. */
async function tokenRights(
  options: ResolvedRoomsOptions,
  userId: string,
  room: string,
  token: string,
): Promise<JoinDecision> {
  const tokens = options.roomTokens;
  if (tokens === undefined) return { rights: 0, expiresAt: undefined };
  let claims: Readonly<Record<string, unknown>>;
  try {
    claims = await tokens.verify(token);
  } catch {
    return { rights: 0, expiresAt: undefined };
  }
  // A room token is bound to its user and must end: one without `exp` grants nothing.
  if (claims.sub !== userId || typeof claims.exp !== 'number') {
    return { rights: 0, expiresAt: undefined };
  }
  const grants = claims[tokens.claim];
  if (!isRecord(grants) || !Object.prototype.hasOwnProperty.call(grants, room)) {
    return { rights: 0, expiresAt: undefined };
  }
  return { rights: rightsFrom(grants[room]), expiresAt: claims.exp * 1000 };
}

/**
 * Decides a join, in order: the rule table (first matching pattern: `false` refuses
 * outright, roles or a predicate grant, a miss falls through), then the capabilities
 * of the handshake token, then a room token given with the join. Rights from the last
 * two add up. Refuses with `FORBIDDEN` when nothing grants the join.
 */
export async function decideJoin(
  socket: AnySocket,
  room: string,
  proof: string | undefined,
  options: ResolvedRoomsOptions,
): Promise<JoinDecision | GuardError> {
  const context = getContext(socket);
  const user = context.user;
  for (const { pattern, rule } of options.rules) {
    if (!pattern.matches(room)) continue;
    if (rule === false) return forbidden;
    if (typeof rule === 'function') {
      if ((await rule(context, room)) === true)
        return { rights: JOIN | PUBLISH, expiresAt: undefined };
    } else if (user !== undefined && rule.roles.some((role) => user.roles.includes(role))) {
      return { rights: rule.readOnly === true ? JOIN : JOIN | PUBLISH, expiresAt: undefined };
    }
    break;
  }
  if (user === undefined) return forbidden;
  let rights = capabilityRights(user.claims, options.capabilityClaim, room);
  let expiresAt: number | undefined;
  if (proof !== undefined) {
    const fromToken = await tokenRights(options, user.id, room, proof);
    if (fromToken.rights !== 0) {
      rights |= fromToken.rights;
      // Rights that came only from the token end with it.
      if (capabilityRights(user.claims, options.capabilityClaim, room) === 0) {
        expiresAt = fromToken.expiresAt;
      }
    }
  }
  return (rights & JOIN) === 0 ? forbidden : { rights, expiresAt };
}

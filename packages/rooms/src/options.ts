import {
  checkOptions,
  isRedisClient,
  opt,
  type MaybePromise,
  type OptionSpec,
  type PacketLocation,
  type PortcullisContext,
} from '@portcullis/core';
import { DEFAULT_MAX_ROOM_NAME_LENGTH, compileRoomPattern, type RoomPattern } from './room-names';
import type { RoomRevocationStore } from './revocations';

/**
 * Who may join rooms matching a pattern: `false` (nobody, whatever a token says),
 * `{ roles }` (any of these roles; `readOnly: true` grants join without publish), or a
 * predicate (sync or async) given the socket's context and the room.
 */
export type RoomRule =
  | false
  | { readonly roles: readonly string[]; readonly readOnly?: boolean }
  | ((context: Readonly<PortcullisContext>, room: string) => MaybePromise<boolean>);

/** Verifies a room token and resolves with its claims; rejects when it is not valid. */
export type RoomTokenVerifier = (token: string) => Promise<Readonly<Record<string, unknown>>>;

export interface RoomTokenOptions {
  /**
   * Verifies the token with the same keys and rules as the handshake: in the preset, the
   * auth guard's verifier; alone, e.g. `createTokenVerifier(authOptions)` of
   * `@portcullis/auth` mapped to its claims. The token's `sub` must be the socket's user.
   */
  readonly verify: RoomTokenVerifier;
  /** The claim naming the rooms and rights: `{ "doc:42": ["join", "publish"] }`. Default `room_grants`. */
  readonly claim?: string;
  /** `portcullis:room-expiring` is sent this long before a room token's `exp`. Default 30 000. */
  readonly warnBeforeMs?: number;
}

export interface RoomsGuardOptions {
  /** Rules by room pattern (`*` is one segment), first match wins. Default: none. */
  readonly rules?: Readonly<Record<string, RoomRule>>;
  /**
   * The claim of the handshake token holding capabilities, Ably's shape:
   * `{ "chat:*": ["join", "publish"] }`. Read from `user.claims`. Default `rooms`;
   * `false` ignores capabilities.
   */
  readonly capabilityClaim?: string | false;
  /** Room tokens: short JWTs naming rooms, with their own `exp`. Default: off. */
  readonly roomTokens?: RoomTokenOptions | false;
  /**
   * Events that write into a room, and where their room is: a field of the first
   * argument (`'roomId'`, `'target.room'`) or an argument index (`0`). Refused with
   * `FORBIDDEN` unless the socket is in the room with the publish right.
   */
  readonly publish?: Readonly<Record<string, string | number>>;
  /**
   * The ready-made `room:join` / `room:leave` events (answered by the guard, never by
   * your handlers). Default: off; `true` uses those names.
   */
  readonly events?: boolean | { readonly join?: string; readonly leave?: string };
  /** Rooms one socket may hold through the guard. Default 50; `false`: no cap. */
  readonly maxRoomsPerSocket?: number | false;
  /** Sockets per room on this node. Default `false` (no cap). */
  readonly maxSocketsPerRoom?: number | false;
  /** Joins per socket per minute. Default 30; `false`: no limit. */
  readonly joinsPerMinute?: number | false;
  /** Longest room name. Default 128. */
  readonly maxRoomNameLength?: number;
  /** Patterns of rooms whose names may appear in security events; others are hashed. */
  readonly loggableRooms?: readonly string[];
  /** Where `revokeRoom` is remembered (so the user cannot join again at once). Default: memory. */
  readonly revocations?: RoomRevocationStore;
  /** How long a `revokeRoom` keeps the user out. Default 3 600 000 (1 h). */
  readonly revokeForMs?: number;
}

const ruleSpec: OptionSpec = opt.union(
  opt.oneOf([false]),
  opt.func(),
  opt.object({
    roles: opt.required(opt.array(opt.string())),
    readOnly: opt.boolean(),
  }),
);

export const roomsGuardOptionsSpec: OptionSpec = opt.object({
  rules: opt.record(ruleSpec, 'room patterns'),
  capabilityClaim: opt.off(opt.string()),
  roomTokens: opt.off(
    opt.object({
      verify: opt.required(opt.func()),
      claim: opt.string(),
      warnBeforeMs: opt.duration({ min: 0 }),
    }),
  ),
  publish: opt.record(opt.union(opt.string(), opt.integer({ min: 0, max: 16 })), 'event names'),
  events: opt.union(opt.boolean(), opt.object({ join: opt.string(), leave: opt.string() })),
  maxRoomsPerSocket: opt.off(opt.integer({ min: 1 })),
  maxSocketsPerRoom: opt.off(opt.integer({ min: 1 })),
  joinsPerMinute: opt.off(opt.integer({ min: 1 })),
  maxRoomNameLength: opt.integer({ min: 1, max: 1024 }),
  loggableRooms: opt.array(opt.string()),
  revocations: opt.custom(
    'a room revocation store (memoryRoomRevocations() or redisRoomRevocations(client))',
    (value) =>
      typeof (value as { revoke?: unknown } | null)?.revoke === 'function' &&
      typeof (value as { isRevoked?: unknown }).isRevoked === 'function',
  ),
  revokeForMs: opt.duration({ min: 1 }),
});

export interface CompiledRule {
  readonly pattern: RoomPattern;
  readonly rule: RoomRule;
}

export interface ResolvedRoomsOptions {
  readonly rules: readonly CompiledRule[];
  readonly capabilityClaim: string | undefined;
  readonly roomTokens:
    | { readonly verify: RoomTokenVerifier; readonly claim: string; readonly warnBeforeMs: number }
    | undefined;
  readonly publish: ReadonlyMap<string, PacketLocation>;
  readonly events: { readonly join: string; readonly leave: string } | undefined;
  readonly maxRoomsPerSocket: number;
  readonly maxSocketsPerRoom: number;
  readonly joinsPerMinute: number;
  readonly maxRoomNameLength: number;
  readonly loggableRooms: readonly RoomPattern[];
  readonly revokeForMs: number;
}

/** Checks the options once and fills in the defaults. */
export function resolveRoomsOptions(options: Readonly<RoomsGuardOptions>): ResolvedRoomsOptions {
  checkOptions(roomsGuardOptionsSpec, options, 'roomsGuard');
  const rules: CompiledRule[] = Object.entries(options.rules ?? {}).map(([source, rule]) => ({
    pattern: compileRoomPattern(source),
    rule,
  }));
  const tokens = options.roomTokens;
  const events = options.events ?? false;
  const off = (value: number | false | undefined, fallback: number): number =>
    value === false ? Infinity : (value ?? fallback);
  return {
    rules,
    capabilityClaim:
      options.capabilityClaim === false ? undefined : (options.capabilityClaim ?? 'rooms'),
    roomTokens:
      tokens === undefined || tokens === false
        ? undefined
        : {
            verify: tokens.verify,
            claim: tokens.claim ?? 'room_grants',
            warnBeforeMs: tokens.warnBeforeMs ?? 30_000,
          },
    publish: new Map(
      Object.entries(options.publish ?? {}).map(([event, where]) => [
        event,
        typeof where === 'number' ? where : where.split('.'),
      ]),
    ),
    events:
      events === false
        ? undefined
        : {
            join: (events === true ? undefined : events.join) ?? 'room:join',
            leave: (events === true ? undefined : events.leave) ?? 'room:leave',
          },
    maxRoomsPerSocket: off(options.maxRoomsPerSocket, 50),
    maxSocketsPerRoom: off(options.maxSocketsPerRoom ?? false, Infinity),
    joinsPerMinute: off(options.joinsPerMinute, 30),
    maxRoomNameLength: options.maxRoomNameLength ?? DEFAULT_MAX_ROOM_NAME_LENGTH,
    loggableRooms: (options.loggableRooms ?? []).map(compileRoomPattern),
    revokeForMs: options.revokeForMs ?? 3_600_000,
  };
}

export { isRedisClient };

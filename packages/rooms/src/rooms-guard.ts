import {
  GuardError,
  PACKET_HANDLED,
  countInWindow,
  getContext,
  isGuardError,
  isThenable,
  peekContext,
  recordSocketEvent,
  refusePacket,
  settingsOf,
  valueAtLocation,
  windowLeftMs,
  type AnyNamespace,
  type AnyServer,
  type AnySocket,
  type Packet,
  type PacketGuard,
  type PacketVerdict,
} from '@portcullis/core';
import { decideJoin } from './decide-join';
import { roomLogNamer } from './log-name';
import { resolveRoomsOptions, type RoomsGuardOptions } from './options';
import { memoryRoomRevocations } from './revocations';
import { RoomExpiries } from './room-expiry';
import { isValidRoomName } from './room-names';
import { JOIN, PUBLISH, rightsFrom, type RoomRight } from './rights';

export const ROOMS_GUARD_NAME = 'rooms';
/** `joinsPerMinute` counts joins in a fixed window of this length. */
const JOIN_WINDOW_MS = 60_000;
/** Sent `warnBeforeMs` before a room token ends: `{ room, expiresAt }`. */
export const ROOM_EXPIRING_EVENT = 'portcullis:room-expiring';
/** Sent when the guard takes a socket out of a room: `{ room, code, message }`. */
export const ROOM_LEFT_EVENT = 'portcullis:room-left';

/** What a successful join grants. */
export interface RoomGrant {
  readonly room: string;
  readonly publish: boolean;
  /** Epoch ms at which a room token's rights end; `null` when they do not. */
  readonly expiresAt: number | null;
}

/** The rooms packet guard and the API an application calls. */
export interface RoomsGuard extends PacketGuard {
  /**
   * Joins the socket to the room if a rule, a capability of its token, or a room token
   * (`proof`) allows it. Rejects with a `GuardError`: `FORBIDDEN`, `VALIDATION_FAILED`
   * (not a room name), `RATE_LIMITED` (joins per minute), `CONNECTION_LIMIT` (caps).
   */
  joinRoom(socket: AnySocket, room: string, proof?: string): Promise<RoomGrant>;
  /** Takes the socket out of a room joined through the guard. */
  leaveRoom(socket: AnySocket, room: string): void;
  /** A server-side join with the rights you decide (rooms you join for your own reasons). */
  grantRoom(socket: AnySocket, room: string, rights: readonly RoomRight[]): void;
  /**
   * Takes the user out of the room on every node (through the adapter) and refuses their
   * joins of it for `revokeForMs`. Resolves with the number of sockets taken out.
   */
  revokeRoom(userId: string, room: string): Promise<number>;
  /** Re-decides every room the socket holds by rule or capability (after a token refresh). */
  recheckRooms(socket: AnySocket): Promise<void>;
  /** Registers the server whose namespaces `revokeRoom` reaches. */
  install(target: AnyServer | AnyNamespace): RoomsGuard;
  /** Room-token deadlines waiting (diagnostics). */
  readonly pendingExpiries: number;
}

const MAX_PROOF_LENGTH = 16 * 1024;

/**
 * Who may join, read and publish in which room. Joins go through the guard
 * (`joinRoom`, or the ready-made `room:join` event); events that write into a room are
 * refused unless the socket holds the publish right there; room tokens end with their
 * `exp`; `revokeRoom` reaches every node.
 *
 * @example
 * const rooms = roomsGuard({
 *   rules: { 'lobby:*': () => true, 'admin:*': { roles: ['admin'] }, 'secret:*': false },
 *   publish: { 'chat:send': 'roomId' },
 *   events: true,
 * }).install(io);
 * usePacketGuards(io, rooms);
 */
export function roomsGuard(options: Readonly<RoomsGuardOptions> = {}): RoomsGuard {
  const resolved = resolveRoomsOptions(options);
  const revocations = options.revocations ?? memoryRoomRevocations();
  const logName = roomLogNamer(resolved.loggableRooms);
  const servers = new Set<AnyServer>();

  const invalidRoom = new GuardError('VALIDATION_FAILED', {
    message: 'That is not a room name.',
    details: [{ path: 'room', type: 'room.name' }],
  });
  const forbiddenPublish = new GuardError('FORBIDDEN', {
    message: 'You may not publish in this room.',
  });
  const revoked = new GuardError('FORBIDDEN', { message: 'You may not join this room.' });
  const tooManyRooms = new GuardError('CONNECTION_LIMIT', {
    message: 'This connection is in too many rooms.',
    retryable: false,
  });
  const roomFull = new GuardError('CONNECTION_LIMIT', { message: 'This room is full.' });
  const leftEvent = (code: 'SESSION_EXPIRED' | 'SESSION_REVOKED', room: string) => ({
    room,
    code,
    message: new GuardError(code).message,
  });

  const expiries = new RoomExpiries(resolved.roomTokens?.warnBeforeMs ?? 0, {
    warn(entry) {
      if (entry.socket.connected) {
        entry.socket.emit(ROOM_EXPIRING_EVENT, { room: entry.room, expiresAt: entry.expiresAt });
      }
    },
    expire(entry) {
      takeOut(entry.socket, entry.room, 'SESSION_EXPIRED');
    },
  });

  function grantsOf(socket: AnySocket): Record<string, number> {
    const context = getContext(socket);
    return (context.roomGrants ??= {});
  }

  function takeOut(
    socket: AnySocket,
    room: string,
    code: 'SESSION_EXPIRED' | 'SESSION_REVOKED',
  ): void {
    const grants = peekContext(socket)?.roomGrants;
    if (grants !== undefined) delete grants[room];
    expiries.clear(socket, room);
    if (!socket.rooms.has(room)) return;
    void socket.leave(room);
    if (socket.connected) socket.emit(ROOM_LEFT_EVENT, leftEvent(code, room));
    recordSocketEvent(socket, 'forced_disconnect', {
      code,
      guard: ROOMS_GUARD_NAME,
      detail: { room: logName(room), scope: 'room' },
    });
  }

  /** Counts a join in the socket's minute; the refusal when over the limit. */
  function joinRate(socket: AnySocket): GuardError | undefined {
    if (resolved.joinsPerMinute === Infinity) return undefined;
    const context = getContext(socket);
    const now = settingsOf(socket).now();
    context.roomJoins = countInWindow(context.roomJoins, 1, now, JOIN_WINDOW_MS);
    if (context.roomJoins.count <= resolved.joinsPerMinute) return undefined;
    return new GuardError('RATE_LIMITED', {
      message: 'Too many room joins; retry later.',
      retryAfterMs: windowLeftMs(context.roomJoins, now, JOIN_WINDOW_MS),
    });
  }

  function caps(socket: AnySocket, room: string): GuardError | undefined {
    const grants = peekContext(socket)?.roomGrants;
    const held = grants === undefined ? 0 : Object.keys(grants).length;
    const already = grants !== undefined && grants[room] !== undefined;
    if (!already && held >= resolved.maxRoomsPerSocket) return tooManyRooms;
    if (resolved.maxSocketsPerRoom !== Infinity && !socket.rooms.has(room)) {
      const members = socket.nsp.adapter.rooms.get(room)?.size ?? 0;
      if (members >= resolved.maxSocketsPerRoom) return roomFull;
    }
    return undefined;
  }

  async function joinRoom(socket: AnySocket, room: string, proof?: string): Promise<RoomGrant> {
    if (!isValidRoomName(room, resolved.maxRoomNameLength)) throw invalidRoom;
    if (proof !== undefined && (typeof proof !== 'string' || proof.length > MAX_PROOF_LENGTH)) {
      throw invalidRoom;
    }
    const limited = joinRate(socket);
    if (limited !== undefined) throw limited;
    const userId = peekContext(socket)?.user?.id;
    if (userId !== undefined) {
      const isRevoked = revocations.isRevoked(userId, room);
      if (isThenable(isRevoked) ? await isRevoked : isRevoked) throw revoked;
    }
    const decision = await decideJoin(socket, room, proof, resolved);
    if (isGuardError(decision)) throw decision;
    const over = caps(socket, room);
    if (over !== undefined) throw over;
    if (!socket.connected) throw new GuardError('INTERNAL', { message: 'The socket is gone.' });
    await socket.join(room);
    grantsOf(socket)[room] = decision.rights;
    if (decision.expiresAt !== undefined) expiries.set(socket, room, decision.expiresAt);
    else expiries.clear(socket, room);
    return {
      room,
      publish: (decision.rights & PUBLISH) !== 0,
      expiresAt: decision.expiresAt ?? null,
    };
  }

  function leaveRoom(socket: AnySocket, room: string): void {
    const grants = peekContext(socket)?.roomGrants;
    if (grants !== undefined) delete grants[room];
    expiries.clear(socket, room);
    void socket.leave(room);
  }

  function refuse(socket: AnySocket, packet: Packet, error: GuardError, room: unknown): void {
    const detail =
      typeof room === 'string' && isValidRoomName(room, resolved.maxRoomNameLength)
        ? { room: logName(room) }
        : undefined;
    refusePacket(socket, packet, error, ROOMS_GUARD_NAME, detail);
  }

  /** `room:join` (room, token?, ack?) and `room:leave` (room, ack?), answered here. */
  function handleEvent(socket: AnySocket, packet: Packet, join: boolean): void {
    const last = packet[packet.length - 1];
    const ack = typeof last === 'function' ? (last as (reply: unknown) => void) : undefined;
    const room = packet[1];
    const proof = packet[2];
    if (
      typeof room !== 'string' ||
      (proof !== undefined && typeof proof !== 'string' && proof !== ack)
    ) {
      refuse(socket, packet, invalidRoom, undefined);
      return;
    }
    if (!join) {
      leaveRoom(socket, room);
      ack?.({ ok: true, room });
      return;
    }
    joinRoom(socket, room, typeof proof === 'string' ? proof : undefined).then(
      (grant) => ack?.({ ok: true, ...grant }),
      (error: unknown) =>
        refuse(
          socket,
          packet,
          isGuardError(error) ? error : new GuardError('INTERNAL', { cause: error }),
          room,
        ),
    );
  }

  function check(socket: AnySocket, packet: Packet): PacketVerdict {
    const name = packet[0];
    const event = typeof name === 'string' ? name : String(name);
    const events = resolved.events;
    if (events !== undefined) {
      if (event === events.join) {
        handleEvent(socket, packet, true);
        return PACKET_HANDLED;
      }
      if (event === events.leave) {
        handleEvent(socket, packet, false);
        return PACKET_HANDLED;
      }
    }
    const where = resolved.publish.get(event);
    if (where === undefined) return undefined;
    const room = valueAtLocation(packet, where);
    const grants = peekContext(socket)?.roomGrants;
    if (
      typeof room === 'string' &&
      grants !== undefined &&
      ((grants[room] ?? 0) & PUBLISH) !== 0 &&
      socket.rooms.has(room)
    ) {
      return undefined;
    }
    refuse(socket, packet, forbiddenPublish, room);
    return PACKET_HANDLED;
  }

  const guard: RoomsGuard = {
    guardName: ROOMS_GUARD_NAME,
    check,
    joinRoom,
    leaveRoom,
    grantRoom(socket, room, rights) {
      if (!isValidRoomName(room, resolved.maxRoomNameLength)) throw invalidRoom;
      void socket.join(room);
      grantsOf(socket)[room] = rightsFrom(rights);
    },
    async revokeRoom(userId, room) {
      if (typeof userId !== 'string' || userId.length === 0) {
        throw new TypeError('revokeRoom: userId must be a non-empty string.');
      }
      if (!isValidRoomName(room, resolved.maxRoomNameLength)) {
        throw new TypeError(`revokeRoom: "${room}" is not a room name.`);
      }
      await revocations.revoke(userId, room, resolved.revokeForMs);
      let removed = 0;
      for (const server of servers) {
        for (const nsp of server._nsps.values()) {
          // Every node answers for its own sockets in the room (the adapter's request).
          const sockets = await nsp.in(room).fetchSockets();
          for (const remote of sockets) {
            if (peekContext(remote)?.user?.id !== userId) continue;
            remote.emit(ROOM_LEFT_EVENT, leftEvent('SESSION_REVOKED', room));
            remote.leave(room);
            removed++;
          }
        }
      }
      return removed;
    },
    async recheckRooms(socket) {
      const grants = peekContext(socket)?.roomGrants;
      if (grants === undefined) return;
      for (const room of Object.keys(grants)) {
        // Rooms held by a room token keep it until its exp; the rest are decided again.
        if (expiries.has(socket, room)) continue;
        const decision = await decideJoin(socket, room, undefined, resolved);
        if (isGuardError(decision)) takeOut(socket, room, 'SESSION_REVOKED');
        else grantsOf(socket)[room] = decision.rights;
      }
    },
    install(target) {
      const server = 'server' in target ? (target as AnyNamespace).server : (target as AnyServer);
      servers.add(server);
      return guard;
    },
    get pendingExpiries() {
      return expiries.size;
    },
  };
  return guard;
}

export { JOIN, PUBLISH };

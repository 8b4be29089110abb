import { DeadlineScheduler, type AnySocket, type ScheduledEntry } from '@portcullis/core';

/** A room a socket holds on a room token's strength, until the token's `exp`. */
export interface RoomExpiry extends ScheduledEntry {
  readonly socket: AnySocket;
  readonly room: string;
  expiresAt: number;
  warned: boolean;
}

export interface RoomExpiryHandlers {
  /** `warnBeforeMs` before the end: tell the client, so it can renew in band. */
  warn(entry: RoomExpiry): void;
  /** The end: take the socket out of the room. */
  expire(entry: RoomExpiry): void;
}

/**
 * The deadlines of room tokens, in one heap with one timer (core's scheduler): only
 * sockets holding a room by token have entries, and they go with the socket.
 */
export class RoomExpiries {
  private readonly bySocket = new WeakMap<AnySocket, Map<string, RoomExpiry>>();
  private readonly scheduler: DeadlineScheduler<RoomExpiry>;

  constructor(
    private readonly warnBeforeMs: number,
    handlers: RoomExpiryHandlers,
  ) {
    this.scheduler = new DeadlineScheduler<RoomExpiry>({
      now: Date.now,
      resolutionMs: 100,
      onDue: (entry, now) => {
        if (!entry.warned && now < entry.expiresAt) {
          entry.warned = true;
          handlers.warn(entry);
          this.scheduler.schedule(entry, entry.expiresAt);
          return;
        }
        this.forget(entry);
        handlers.expire(entry);
      },
    });
  }

  /** Sets (or renews) the room's end for this socket. */
  set(socket: AnySocket, room: string, expiresAt: number): void {
    let rooms = this.bySocket.get(socket);
    if (rooms === undefined) {
      rooms = new Map();
      this.bySocket.set(socket, rooms);
      const owned = rooms;
      // Only sockets holding a room by token get this listener; it fires once.
      socket.on('disconnect', () => {
        for (const entry of owned.values()) this.scheduler.cancel(entry);
        owned.clear();
      });
    }
    let entry = rooms.get(room);
    if (entry === undefined) {
      entry = { socket, room, expiresAt, warned: false, deadline: 0, heapIndex: -1 };
      rooms.set(room, entry);
    }
    entry.expiresAt = expiresAt;
    entry.warned = false;
    const warnAt = expiresAt - this.warnBeforeMs;
    this.scheduler.schedule(entry, warnAt > Date.now() ? warnAt : expiresAt);
  }

  /** Whether the room is held by a token (rather than by a rule or a capability). */
  has(socket: AnySocket, room: string): boolean {
    return this.bySocket.get(socket)?.has(room) === true;
  }

  /** The socket left the room some other way: drop its deadline. */
  clear(socket: AnySocket, room: string): void {
    const entry = this.bySocket.get(socket)?.get(room);
    if (entry !== undefined) this.forget(entry);
  }

  /** Entries waiting (for tests and diagnostics). */
  get size(): number {
    return this.scheduler.size;
  }

  private forget(entry: RoomExpiry): void {
    this.scheduler.cancel(entry);
    this.bySocket.get(entry.socket)?.delete(entry.room);
  }
}

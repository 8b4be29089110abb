import type { ScheduledEntry } from './deadline-scheduler';
import { sharedState } from './shared-state';
import type { AnySocket } from './socket-types';

/**
 * Core's one record per socket, for what guards keep about a socket that is not plain
 * data (the context, in `socket.data`, is: it crosses nodes). It is the socket's entry
 * in its server's deadline heap, and it has room for the state of two guards (`slot0`,
 * `slot1`, claimed with `socketSlot`). Each table entry to find a guard's own record
 * costs about 33 bytes per socket, each record object 24 more: guards that share this
 * one pay for a field instead.
 */
export interface SocketRecord extends ScheduledEntry {
  readonly socket: AnySocket;
  /** One bit per deadline lane watching the socket (`DeadlineLane`). */
  lanes: number;
  slot0: unknown;
  slot1: unknown;
}

const records = sharedState.socketRecords as WeakMap<AnySocket, SocketRecord>;

/** The socket's record, made on first use; it lives as long as the socket object. */
export function socketRecord(socket: AnySocket): SocketRecord {
  let record = records.get(socket);
  if (record === undefined) {
    record = { deadline: 0, heapIndex: -1, socket, lanes: 0, slot0: undefined, slot1: undefined };
    records.set(socket, record);
  }
  return record;
}

/** The socket's record if it has one, without making it. */
export function peekSocketRecord(socket: AnySocket): SocketRecord | undefined {
  return records.get(socket);
}

/**
 * Drops the socket's record once nothing is in it (no deadline lane, no slot value):
 * left until the socket object is collected, the records of sockets gone by would pile
 * up in the table, and a large weak table slows every garbage collection (a server
 * with many short connections measured 250 µs more per handshake).
 */
export function dropSocketRecordIfEmpty(record: SocketRecord): void {
  if (record.lanes === 0 && record.slot0 === undefined && record.slot1 === undefined) {
    records.delete(record.socket);
  }
}

/** A guard's value per socket, kept in core's record while it has room. */
export interface SocketSlot<T> {
  get(socket: AnySocket): T | undefined;
  set(socket: AnySocket, value: T): void;
  delete(socket: AnySocket): void;
}

const IN_RECORD_SLOTS = 2;

class RecordSlot<T> implements SocketSlot<T> {
  constructor(private readonly field: 'slot0' | 'slot1') {}

  get(socket: AnySocket): T | undefined {
    return records.get(socket)?.[this.field] as T | undefined;
  }

  set(socket: AnySocket, value: T): void {
    socketRecord(socket)[this.field] = value;
  }

  delete(socket: AnySocket): void {
    const record = records.get(socket);
    if (record === undefined) return;
    record[this.field] = undefined;
    dropSocketRecordIfEmpty(record);
  }
}

class TableSlot<T> implements SocketSlot<T> {
  private readonly values = new WeakMap<AnySocket, T>();

  get(socket: AnySocket): T | undefined {
    return this.values.get(socket);
  }

  set(socket: AnySocket, value: T): void {
    this.values.set(socket, value);
  }

  delete(socket: AnySocket): void {
    this.values.delete(socket);
  }
}

/**
 * Claims a place for a guard's value per socket: the first two claims in a process get a
 * field of core's socket record, later ones a table of their own (same behaviour, about
 * 33 bytes more per socket). Claim once per guard instance, at set-up; an application
 * with one connection limit and one revocation index per server gets both in the record.
 */
export function socketSlot<T>(): SocketSlot<T> {
  const index = sharedState.slotsClaimed;
  if (index >= IN_RECORD_SLOTS) return new TableSlot<T>();
  sharedState.slotsClaimed = index + 1;
  return new RecordSlot<T>(index === 0 ? 'slot0' : 'slot1');
}

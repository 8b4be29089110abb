import { DeadlineScheduler, type ScheduledEntry } from './deadline-scheduler';
import { settingsOf } from './settings';
import {
  dropSocketRecordIfEmpty,
  peekSocketRecord,
  socketRecord,
  type SocketRecord,
} from './socket-record';
import { sharedState } from './shared-state';
import type { AnyServer, AnySocket } from './socket-types';

/** What a guard built on a `DeadlineLane` shows of it, for tests and diagnostics. */
export interface DeadlineView {
  /** Sockets this guard currently watches. */
  readonly watchedSockets: number;
  /** Timers held for them: 1 per server while any socket is watched, else 0. */
  readonly timerCount: number;
  /** Handles every socket due by the clock now (after moving a test clock). */
  sweep(): void;
}

/**
 * What a guard with deadlines per socket tells core. Its deadlines are numbers in the
 * socket's context (last activity, expiry, next revalidation), so it keeps no entry of
 * its own: core asks it when the socket next needs it, and calls it then.
 */
export interface DeadlineLaneSpec {
  /** When the socket next needs this guard (epoch ms on core's clock); `Infinity`: not now. */
  nextAt(socket: AnySocket, now: number): number;
  /**
   * The socket's entry came due: do what is due for this guard, which may be nothing
   * (the deadline that came due may be another guard's). It may disconnect the socket.
   */
  onDue(socket: AnySocket, now: number): void;
  /** How late this guard's deadlines may be handled (the heap's runs are coalesced). */
  readonly resolutionMs: number;
}

/** A socket's one entry, whichever guards watch it: one bit per guard in `lanes`. */
interface SocketEntry extends ScheduledEntry {
  readonly socket: AnySocket;
  lanes: number;
}

/** Where a heap finds each socket's entry. */
interface EntryTable {
  get(socket: AnySocket): SocketEntry | undefined;
  getOrCreate(socket: AnySocket): SocketEntry;
  /** The entry's last lane let go (it is off the heap already). */
  drop(entry: SocketEntry): void;
}

/**
 * A server's first heap keeps each socket's entry in core's socket record, which other
 * guards' state shares: no table entry of its own. The record goes once it is empty.
 */
const inSocketRecords: EntryTable = {
  get: peekSocketRecord,
  getOrCreate: socketRecord,
  // Entries of this table are socket records.
  drop: (entry) => dropSocketRecordIfEmpty(entry as SocketRecord),
};

/** Lanes past the first heap (rare): entries of their own, in a table. */
function ownEntries(): EntryTable {
  const entries = new WeakMap<AnySocket, SocketEntry>();
  return {
    get: (socket) => entries.get(socket),
    getOrCreate(socket) {
      let entry = entries.get(socket);
      if (entry === undefined) {
        entry = { deadline: 0, heapIndex: -1, socket, lanes: 0 };
        entries.set(socket, entry);
      }
      return entry;
    },
    drop: (entry) => entries.delete(entry.socket),
  };
}

/** Bits of a small integer: lanes past these go to a second heap of the same server. */
const LANES_PER_HEAP = 30;

/**
 * One deadline heap per server, with one entry per socket for every guard that has
 * deadlines. Idle timeout and session expiry used to keep a heap each, so a socket cost
 * two entries, two table entries to find them, and two heap slots; now it costs one of
 * each. The entry comes due at the earliest of its guards' deadlines; each guard then
 * looks at the socket, and the entry moves to the earliest deadline that is left.
 */
class ServerDeadlines {
  readonly lanes: DeadlineLaneSpec[] = [];
  /** Lanes beyond `LANES_PER_HEAP`, rare (one guard instance per lane), go on there. */
  overflow: ServerDeadlines | undefined;
  private readonly scheduler: DeadlineScheduler<SocketEntry>;
  /** The server's clock (core settings), taken again at every watch: it may be configured late. */
  private clock: () => number = Date.now;

  constructor(
    resolutionMs: number,
    private readonly entries: EntryTable,
  ) {
    this.scheduler = new DeadlineScheduler<SocketEntry>({
      now: () => this.clock(),
      onDue: (entry, now) => this.due(entry, now),
      resolutionMs,
    });
  }

  get timerCount(): number {
    return this.scheduler.timerCount;
  }

  run(): void {
    this.scheduler.run();
  }

  /** The lane's bit here, adding the lane when there is room; -1 when there is none. */
  bitOf(lane: DeadlineLaneSpec): number {
    const known = this.lanes.indexOf(lane);
    if (known !== -1) return known;
    if (this.lanes.length === LANES_PER_HEAP) return -1;
    this.lanes.push(lane);
    this.scheduler.tightenResolution(lane.resolutionMs);
    return this.lanes.length - 1;
  }

  /** Starts watching the socket for the lane; false when it already was. */
  watch(socket: AnySocket, bit: number): boolean {
    const now = settingsOf(socket).now;
    this.clock = now;
    const entry = this.entries.getOrCreate(socket);
    const mask = 1 << bit;
    if ((entry.lanes & mask) !== 0) return false;
    entry.lanes |= mask;
    this.reschedule(socket);
    return true;
  }

  /** Stops watching the socket for the lane (its release step); false when it was not. */
  unwatch(socket: AnySocket, bit: number): boolean {
    const entry = this.entries.get(socket);
    const mask = 1 << bit;
    if (entry === undefined || (entry.lanes & mask) === 0) return false;
    entry.lanes &= ~mask;
    if (entry.lanes === 0) {
      this.scheduler.cancel(entry);
      this.entries.drop(entry);
    }
    // Otherwise the entry may come due for this lane's old deadline: the other lanes
    // find nothing due and it moves on. Cheaper than asking them at every release.
    return true;
  }

  /** Moves the socket's entry to the earliest deadline of its lanes (after one changed). */
  reschedule(socket: AnySocket): void {
    const entry = this.entries.get(socket);
    if (entry !== undefined) this.scheduleNext(entry, this.clock());
  }

  private scheduleNext(entry: SocketEntry, now: number): void {
    // A socket that left gets no deadline: its release steps take it out.
    let next = Infinity;
    if (entry.socket.connected) {
      const { lanes } = this;
      for (let bit = 0; bit < lanes.length; bit++) {
        if ((entry.lanes & (1 << bit)) === 0) continue;
        const at = (lanes[bit] as DeadlineLaneSpec).nextAt(entry.socket, now);
        if (at < next) next = at;
      }
    }
    if (next === Infinity) this.scheduler.cancel(entry);
    else this.scheduler.schedule(entry, next);
  }

  private due(entry: SocketEntry, now: number): void {
    const { socket } = entry;
    const { lanes } = this;
    for (let bit = 0; bit < lanes.length; bit++) {
      if (!socket.connected) return;
      if ((entry.lanes & (1 << bit)) === 0) continue;
      try {
        (lanes[bit] as DeadlineLaneSpec).onDue(socket, now);
      } catch {
        // One guard's failure must not keep the others from their deadlines.
      }
    }
    this.scheduleNext(entry, now);
  }
}

const deadlinesByServer = sharedState.deadlinesByServer as WeakMap<AnyServer, ServerDeadlines>;

/**
 * A guard's deadlines for every socket it watches, kept in its server's one heap. Create
 * one per guard; `watch` a socket when the guard takes it on, `unwatch` it in the guard's
 * release step, and `reschedule` it when a deadline in the context moved earlier.
 */
export class DeadlineLane implements DeadlineView {
  private readonly placed = new WeakMap<AnyServer, { heap: ServerDeadlines; bit: number }>();
  /** The heaps this lane has sockets in, for `timerCount` and `sweep`. */
  private readonly heaps = new Set<ServerDeadlines>();
  private watched = 0;

  constructor(private readonly spec: DeadlineLaneSpec) {}

  private placeOn(server: AnyServer): { heap: ServerDeadlines; bit: number } {
    let place = this.placed.get(server);
    if (place !== undefined) return place;
    let heap = deadlinesByServer.get(server);
    if (heap === undefined) {
      heap = new ServerDeadlines(this.spec.resolutionMs, inSocketRecords);
      deadlinesByServer.set(server, heap);
    }
    let bit = heap.bitOf(this.spec);
    while (bit === -1) {
      heap = heap.overflow ??= new ServerDeadlines(this.spec.resolutionMs, ownEntries());
      bit = heap.bitOf(this.spec);
    }
    place = { heap, bit };
    this.placed.set(server, place);
    this.heaps.add(heap);
    return place;
  }

  watch(socket: AnySocket): void {
    const { heap, bit } = this.placeOn(socket.nsp.server);
    if (heap.watch(socket, bit)) this.watched++;
  }

  unwatch(socket: AnySocket): void {
    const { heap, bit } = this.placeOn(socket.nsp.server);
    if (heap.unwatch(socket, bit)) this.watched--;
  }

  reschedule(socket: AnySocket): void {
    this.placeOn(socket.nsp.server).heap.reschedule(socket);
  }

  get watchedSockets(): number {
    return this.watched;
  }

  get timerCount(): number {
    let timers = 0;
    for (const heap of this.heaps) timers += heap.timerCount;
    return timers;
  }

  sweep(): void {
    for (const heap of this.heaps) heap.run();
  }

  /** Adds `watchedSockets`, `timerCount` and `sweep` (the `DeadlineView`) to `guard`. */
  exposeOn<G extends object>(guard: G): G & DeadlineView {
    return Object.defineProperties(guard, {
      watchedSockets: { get: () => this.watchedSockets, enumerable: true },
      timerCount: { get: () => this.timerCount, enumerable: true },
      sweep: { value: () => this.sweep(), enumerable: true },
    }) as G & DeadlineView;
  }
}

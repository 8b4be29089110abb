import { DeadlineScheduler, type ScheduledEntry } from './deadline-scheduler';
import type { AnySocket } from './socket-types';

/** What a guard built on `SocketDeadlines` shows of it, for tests and diagnostics. */
export interface DeadlineView {
  /** Sockets currently watched (one heap entry each). */
  readonly watchedSockets: number;
  /** Timers held: 1 while any socket is watched, else 0. */
  readonly timerCount: number;
  /** Handles every entry due by the clock now (after moving a test clock). */
  sweep(): void;
}

/**
 * A guard's one entry per socket in one deadline heap, found again by socket: core's one
 * release listener hands a guard the socket, not its entry.
 */
export class SocketDeadlines<E extends ScheduledEntry> extends DeadlineScheduler<E> {
  private readonly entries = new WeakMap<AnySocket, E>();

  /** Remembers `entry` as `socket`'s (schedule it separately). */
  track(socket: AnySocket, entry: E): void {
    this.entries.set(socket, entry);
  }

  entryOf(socket: AnySocket): E | undefined {
    return this.entries.get(socket);
  }

  /** Forgets the socket's entry and takes it off the heap; nothing when it has none. */
  release(socket: AnySocket): void {
    const entry = this.entries.get(socket);
    if (entry === undefined) return;
    this.entries.delete(socket);
    this.cancel(entry);
  }

  /** Adds `watchedSockets`, `timerCount` and `sweep` (the `DeadlineView`) to `guard`. */
  exposeOn<G extends object>(guard: G): G & DeadlineView {
    return Object.defineProperties(guard, {
      watchedSockets: { get: () => this.size, enumerable: true },
      timerCount: { get: () => this.timerCount, enumerable: true },
      sweep: { value: () => this.run(), enumerable: true },
    }) as G & DeadlineView;
  }
}

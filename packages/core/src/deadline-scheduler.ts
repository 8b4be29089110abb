/**
 * One timer for many deadlines.
 *
 * A timer per socket costs a timer handle per socket (10,000 sockets, 10,000 handles),
 * and re-arming it on every packet costs a timer operation per packet. Instead every
 * socket of a guard holds one entry in a binary min-heap ordered by deadline, and a
 * single timer is armed for the earliest one. Entries are removed when their socket
 * disconnects, and the timer is cleared when the heap is empty, so an idle server holds
 * no timer at all.
 *
 * Deadlines are coalesced: after a run, the next run is at least `resolutionMs` later,
 * so a burst of sockets with deadlines a millisecond apart costs a few wake-ups, not
 * one per socket. An entry is therefore handled up to `resolutionMs` late, never early.
 */

/** What the heap stores. The scheduler owns both fields. */
export interface ScheduledEntry {
  /** When the entry is due, on the scheduler's clock (epoch ms). */
  deadline: number;
  /** Position in the heap; -1 while the entry is not scheduled. */
  heapIndex: number;
}

export interface DeadlineSchedulerOptions<E extends ScheduledEntry> {
  /** The clock deadlines are expressed in. */
  readonly now: () => number;
  /** Called once per due entry, already removed from the heap; may schedule it again. */
  readonly onDue: (entry: E, now: number) => void;
  /** Minimum spacing between two runs of the timer. */
  readonly resolutionMs: number;
}

/** setTimeout fires at once for delays above 2^31 - 1 ms; longer waits are re-armed. */
const MAX_TIMER_DELAY_MS = 2_147_483_647;
/** Due entries handled per run, so thousands expiring together do not stall the loop. */
const MAX_DUE_PER_RUN = 1000;

export class DeadlineScheduler<E extends ScheduledEntry> {
  private readonly heap: E[] = [];
  private readonly now: () => number;
  private readonly onDue: (entry: E, now: number) => void;
  private resolutionMs: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The clock time the armed timer targets (Infinity when none is armed). */
  private timerAt = Infinity;
  private lastRunAt = -Infinity;
  private readonly runBound = (): void => this.run();

  constructor(options: DeadlineSchedulerOptions<E>) {
    this.now = options.now;
    this.onDue = options.onDue;
    this.resolutionMs = options.resolutionMs;
  }

  /** Handles entries at most `resolutionMs` late from now on, if that is tighter. */
  tightenResolution(resolutionMs: number): void {
    this.resolutionMs = Math.min(this.resolutionMs, resolutionMs);
  }

  /** Entries waiting. */
  get size(): number {
    return this.heap.length;
  }

  /** Timers this scheduler holds: 1 while any entry waits, 0 otherwise. */
  get timerCount(): number {
    return this.timer === undefined ? 0 : 1;
  }

  /** Schedules the entry at `deadline`, or moves it there if it is already scheduled. */
  schedule(entry: E, deadline: number): void {
    const previous = entry.deadline;
    entry.deadline = deadline;
    if (entry.heapIndex === -1) {
      entry.heapIndex = this.heap.length;
      this.heap.push(entry);
      this.siftUp(entry.heapIndex);
    } else if (deadline < previous) {
      this.siftUp(entry.heapIndex);
    } else {
      this.siftDown(entry.heapIndex);
    }
    this.arm();
  }

  /** Removes the entry; does nothing when it is not scheduled. */
  cancel(entry: E): void {
    const index = entry.heapIndex;
    if (index === -1) return;
    this.removeAt(index);
    if (this.heap.length === 0) this.disarm();
  }

  /** Handles every entry due now. The timer calls it; tests call it after moving the clock. */
  run(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.now();
    this.lastRunAt = now;
    let handled = 0;
    while (handled < MAX_DUE_PER_RUN) {
      const head = this.heap[0];
      if (head === undefined || head.deadline > now) break;
      this.removeAt(0);
      handled++;
      try {
        this.onDue(head, now);
      } catch {
        // One entry's failure must not stop the others or the timer.
      }
    }
    if (handled === MAX_DUE_PER_RUN) this.lastRunAt = -Infinity; // more may be due: go on soon
    this.arm();
  }

  private arm(): void {
    const head = this.heap[0];
    if (head === undefined) {
      this.disarm();
      return;
    }
    // A timer that fires no later than the head's deadline plus the resolution will do.
    if (this.timer !== undefined && this.timerAt <= head.deadline + this.resolutionMs) return;
    const now = this.now();
    const earliest = Math.max(head.deadline, this.lastRunAt + this.resolutionMs);
    const delay = Math.min(Math.max(earliest - now, 0), MAX_TIMER_DELAY_MS);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(this.runBound, delay);
    this.timerAt = now + delay;
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private removeAt(index: number): void {
    const heap = this.heap;
    const removed = heap[index] as E;
    const last = heap.pop() as E;
    removed.heapIndex = -1;
    if (index === heap.length) return;
    heap[index] = last;
    last.heapIndex = index;
    this.siftDown(index);
    this.siftUp(last.heapIndex);
  }

  private siftUp(start: number): void {
    const heap = this.heap;
    const entry = heap[start] as E;
    let index = start;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as E;
      if (parent.deadline <= entry.deadline) break;
      heap[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    heap[index] = entry;
    entry.heapIndex = index;
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const length = heap.length;
    const entry = heap[start] as E;
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && (heap[right] as E).deadline < (heap[left] as E).deadline) child = right;
      const smallest = heap[child] as E;
      if (smallest.deadline >= entry.deadline) break;
      heap[index] = smallest;
      smallest.heapIndex = index;
      index = child;
    }
    heap[index] = entry;
    entry.heapIndex = index;
  }
}

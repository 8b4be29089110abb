/**
 * A count over a fixed window of time: the one "N within T" counter of Portcullis.
 * Escalation weighs a socket's refusals in one, rooms counts a socket's joins in one,
 * audit counts refusals per address in a bounded map of them. Plain data (a window can
 * live in the context, which crosses nodes), changed in place: no allocation per count.
 */
export interface FixedWindow {
  /** What was counted since `startedAt`. */
  count: number;
  /** Epoch milliseconds the window began. */
  startedAt: number;
}

/**
 * Adds `amount` at `now`: to `window` while it runs, to a window restarted at `now`
 * once it has ended, to a new one when there is none. Answers the window that holds
 * the count (the same object whenever one was given).
 */
export function countInWindow(
  window: FixedWindow | undefined,
  amount: number,
  now: number,
  windowMs: number,
): FixedWindow {
  if (window === undefined) return { count: amount, startedAt: now };
  if (now - window.startedAt >= windowMs) {
    window.startedAt = now;
    window.count = amount;
  } else {
    window.count += amount;
  }
  return window;
}

/** The window's count at `now`: 0 when there is none or it has ended. */
export function countAt(window: FixedWindow | undefined, now: number, windowMs: number): number {
  if (window === undefined || now - window.startedAt >= windowMs) return 0;
  return window.count;
}

/** Milliseconds until the window ends (0 when there is none or it has ended). */
export function windowLeftMs(
  window: FixedWindow | undefined,
  now: number,
  windowMs: number,
): number {
  if (window === undefined) return 0;
  return Math.max(0, window.startedAt + windowMs - now);
}

/**
 * Fixed windows by key in a bounded map, for counts about sources that have no socket
 * to hold them (an address refused at the handshake). A flood of new keys cannot grow
 * memory: past `maxKeys`, the key whose window was restarted longest ago goes first.
 */
export class KeyedWindows {
  private readonly windows = new Map<string, FixedWindow>();

  constructor(
    readonly windowMs: number,
    readonly maxKeys: number,
  ) {}

  /** Adds `amount` to the key's window at `now`; answers the count in it. */
  count(key: string, amount: number, now: number): number {
    const window = this.windows.get(key);
    if (window !== undefined && now - window.startedAt < this.windowMs) {
      window.count += amount;
      return window.count;
    }
    // A new or restarted window moves to the end: the first key is the stalest.
    if (window !== undefined) this.windows.delete(key);
    else if (this.windows.size >= this.maxKeys) this.forgetStalest();
    this.windows.set(key, { count: amount, startedAt: now });
    return amount;
  }

  forget(key: string): void {
    this.windows.delete(key);
  }

  get size(): number {
    return this.windows.size;
  }

  private forgetStalest(): void {
    const stalest = this.windows.keys().next();
    if (stalest.done !== true) this.windows.delete(stalest.value);
  }
}

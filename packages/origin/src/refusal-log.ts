/**
 * Decides which refusals become security events: the first refusal of an origin, then
 * at most one per origin per interval (carrying how many were suppressed meanwhile).
 *
 * A hostile page has one origin, but a script can send a new random origin with every
 * request, so the table is bounded. When it is full of origins still inside their
 * interval, further new origins are not logged one by one: a single overflow event per
 * interval reports how many were dropped. Memory stays O(maxTrackedOrigins), log
 * volume O(maxTrackedOrigins + 1) per interval, whatever the attacker sends.
 */

/** What to do with one refusal. */
export type LogDecision =
  | { readonly kind: 'log'; readonly suppressed: number }
  | { readonly kind: 'skip' }
  | { readonly kind: 'overflow'; readonly dropped: number };

interface Entry {
  until: number;
  suppressed: number;
}

/** Keys longer than this are cut: two huge origins with one prefix share a slot. */
const MAX_KEY_LENGTH = 256;

const SKIP: LogDecision = { kind: 'skip' };

export class RefusalLog {
  private readonly entries = new Map<string, Entry>();
  private overflowUntil = -Infinity;
  private dropped = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly maxKeys: number,
  ) {}

  /** Number of origins currently remembered (never more than `maxKeys`). */
  get size(): number {
    return this.entries.size;
  }

  /** `now`: the caller's clock (core's for `originGuard`, the hook's own at engine level). */
  decide(rawKey: string, now: number): LogDecision {
    const key = rawKey.length > MAX_KEY_LENGTH ? rawKey.slice(0, MAX_KEY_LENGTH) : rawKey;
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      if (now < entry.until) {
        entry.suppressed++;
        return SKIP;
      }
      // Re-inserted at the end, so the map stays ordered by expiry for the sweep.
      this.entries.delete(key);
      this.entries.set(key, { until: now + this.intervalMs, suppressed: 0 });
      return { kind: 'log', suppressed: entry.suppressed };
    }
    if (this.entries.size >= this.maxKeys) this.sweep(now);
    if (this.entries.size >= this.maxKeys) {
      this.dropped++;
      if (now < this.overflowUntil) return SKIP;
      this.overflowUntil = now + this.intervalMs;
      const dropped = this.dropped;
      this.dropped = 0;
      return { kind: 'overflow', dropped };
    }
    this.entries.set(key, { until: now + this.intervalMs, suppressed: 0 });
    return { kind: 'log', suppressed: 0 };
  }

  /** Drops expired entries from the front (the oldest); stops at the first live one. */
  private sweep(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now < entry.until) return;
      this.entries.delete(key);
    }
  }
}

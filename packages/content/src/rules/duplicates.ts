import { fingerprint } from '../normalize';

export interface DuplicateRule {
  /** The same (normalised) message this many times within `withinMs` is one too many. Default 2. */
  readonly max?: number;
  /** Default 30 000. */
  readonly withinMs?: number;
  /** Fingerprints kept per sender. Default 16. */
  readonly remember?: number;
  readonly action?: 'refuse' | 'flag';
}

interface SenderHistory {
  readonly prints: Uint32Array;
  readonly times: Float64Array;
  next: number;
}

/**
 * Recent messages per sender, as 32-bit fingerprints of the normalised text (never the
 * text), `remember` per sender in a ring, with their times. Senders are kept in a Map
 * whose oldest entries go first once it holds `maxSenders`, so memory is bounded: about
 * 12 bytes per fingerprint plus ~150 bytes per sender.
 */
export class DuplicateTracker {
  private readonly senders = new Map<string, SenderHistory>();

  constructor(
    private readonly remember: number,
    private readonly maxSenders: number,
  ) {}

  /** How many times this text was sent by this sender within the window, this one included. */
  count(sender: string, normalized: string, now: number, withinMs: number): number {
    let history = this.senders.get(sender);
    if (history === undefined) {
      if (this.senders.size >= this.maxSenders) {
        const oldest = this.senders.keys().next().value;
        if (oldest !== undefined) this.senders.delete(oldest);
      }
      history = {
        prints: new Uint32Array(this.remember),
        times: new Float64Array(this.remember).fill(-Infinity),
        next: 0,
      };
    } else {
      this.senders.delete(sender); // re-inserted below: most recent last
    }
    this.senders.set(sender, history);
    const print = fingerprint(normalized);
    let seen = 1;
    for (let index = 0; index < this.remember; index++) {
      if (history.prints[index] === print && now - (history.times[index] as number) < withinMs) {
        seen++;
      }
    }
    history.prints[history.next] = print;
    history.times[history.next] = now;
    history.next = (history.next + 1) % this.remember;
    return seen;
  }

  get trackedSenders(): number {
    return this.senders.size;
  }
}

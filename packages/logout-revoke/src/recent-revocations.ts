import type { RevocationMessage } from './revocation-message';

/** Long enough for any handshake's denylist read (the store's deadline is far shorter). */
const KEEP_MS = 30_000;
/** A burst of revocations cannot grow memory past this many. */
const KEEP_AT_MOST = 1000;

interface Entry {
  readonly position: number;
  readonly at: number;
  readonly message: RevocationMessage;
}

/**
 * The revocations this node acted on lately, in order. A handshake that reads a remote
 * denylist notes the log's position first; once the socket is indexed, a revocation
 * logged since then may have been written after the read, and is applied to the socket
 * from here. The revoker writes the denylist before it tells any node, so a revocation
 * the read missed is always in this log or still on its way (and then finds the socket
 * in the index): no second read of the denylist per handshake.
 */
export class RecentRevocations {
  private entries: Entry[] = [];
  private last = 0;

  /** Where the log stands now. */
  get position(): number {
    return this.last;
  }

  add(message: RevocationMessage, now: number): void {
    this.entries.push({ position: ++this.last, at: now, message });
    let drop = 0;
    while (
      drop < this.entries.length &&
      (this.entries.length - drop > KEEP_AT_MOST ||
        now - (this.entries[drop] as Entry).at > KEEP_MS)
    ) {
      drop++;
    }
    if (drop > 0) this.entries = this.entries.slice(drop);
  }

  /**
   * The revocations logged after `position`, or `undefined` when some of them have been
   * forgotten already (the caller then reads the denylist again).
   */
  since(position: number): readonly RevocationMessage[] | undefined {
    if (position === this.last) return [];
    const first = this.entries[0];
    if (first === undefined || first.position > position + 1) return undefined;
    return this.entries.slice(position + 1 - first.position).map((entry) => entry.message);
  }
}

import {
  addOneOrMany,
  listOneOrMany,
  removeOneOrMany,
  type AnySocket,
  type OneOrMany,
  type ScheduledEntry,
} from '@portcullis/core';

/**
 * A pending place's entry in the guard's pending-deadline heap (`deadline`, `heapIndex`,
 * owned by core's `DeadlineScheduler`): its own small object, dropped when the socket
 * connects, so a connected socket's lease carries no deadline fields.
 */
export interface PendingDeadline extends ScheduledEntry {
  readonly lease: Lease;
}

/**
 * One connection's place in the counts, from the handshake until it is gone. Its
 * namespace (to match a `CONNECT_ERROR` on a shared engine.io connection) is its
 * socket's.
 */
export interface Lease {
  readonly socket: AnySocket;
  readonly userId: string | undefined;
  readonly ipKey: string;
  /** `pending` between this guard and the `connection` event; `released` is final. */
  state: 'pending' | 'active' | 'released';
  /**
   * Set aside for a newer connection of the same user (`disconnect-oldest`): no longer
   * counted against `maxPerUser`, and disconnected once that newer one connects.
   */
  replacing: boolean;
  /**
   * The older lease this pending one will disconnect once it connects; cleared then, or
   * when this one fails, so a lease never keeps another socket alive.
   */
  replaces: Lease | undefined;
  /** Its entry in Redis, once the cluster-wide count took it. */
  member: string | undefined;
  /** Its entry in the pending-deadline heap while pending; `undefined` after. */
  pendingDeadline: PendingDeadline | undefined;
}

/**
 * This node's counts: total, per user, per IP. Maps hold only keys with at least one
 * connection, so they return to empty when everyone has left.
 */
export class ConnectionCounts {
  /** Pending and active leases. */
  total = 0;
  pending = 0;
  // One lease, or an array of them in insertion order (oldest first): most users hold
  // one connection, which then costs no array at all, and never a Set's hash table.
  private readonly byUser = new Map<string, OneOrMany<Lease>>();
  private readonly byIp = new Map<string, number>();

  add(lease: Lease): void {
    this.total++;
    if (lease.state === 'pending') this.pending++;
    this.byIp.set(lease.ipKey, (this.byIp.get(lease.ipKey) ?? 0) + 1);
    if (lease.userId === undefined) return;
    addOneOrMany(this.byUser, lease.userId, lease);
  }

  private leasesOf(userId: string): readonly Lease[] {
    return listOneOrMany(this.byUser, userId);
  }

  /** Call before changing `state` to `released`. */
  remove(lease: Lease): void {
    this.total--;
    if (lease.state === 'pending') this.pending--;
    const ipCount = (this.byIp.get(lease.ipKey) ?? 1) - 1;
    if (ipCount === 0) this.byIp.delete(lease.ipKey);
    else this.byIp.set(lease.ipKey, ipCount);
    if (lease.userId === undefined) return;
    removeOneOrMany(this.byUser, lease.userId, lease);
  }

  activate(lease: Lease): void {
    if (lease.state !== 'pending') return;
    this.pending--;
    lease.state = 'active';
  }

  ipCount(ipKey: string): number {
    return this.byIp.get(ipKey) ?? 0;
  }

  /** The user's connections, leaving out those already chosen to make room. */
  userCount(userId: string): number {
    let count = 0;
    for (const lease of this.leasesOf(userId)) if (!lease.replacing) count++;
    return count;
  }

  /** The user's oldest connected socket not already chosen to make room. */
  oldestActive(userId: string): Lease | undefined {
    // Leases are kept in insertion order: the first active lease is the oldest.
    for (const lease of this.leasesOf(userId))
      if (lease.state === 'active' && !lease.replacing) return lease;
    return undefined;
  }

  get users(): number {
    return this.byUser.size;
  }

  get ips(): number {
    return this.byIp.size;
  }
}

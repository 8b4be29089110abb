import {
  onSocketRelease,
  peekContext,
  releaseWhenDisconnected,
  type AnySocket,
  type ReleaseStep,
} from '@portcullis/core';
import type { KeyedScope } from './keyed-scope';
import type { SocketState } from './socket-state';

/**
 * How many sockets of each user this node holds, kept only while the guard leases
 * points from Redis: when a user's last socket here leaves, the leases it left unspent
 * go back to Redis, so the user's next socket on another node can spend them.
 */
export class UserSockets {
  private readonly counts = new Map<string, number>();
  private readonly release: ReleaseStep;

  constructor(
    private readonly scopes: readonly KeyedScope[],
    private readonly states: WeakMap<AnySocket, SocketState>,
    private readonly now: () => number,
  ) {
    this.release = (socket) => this.leave(socket);
  }

  /**
   * Counts the socket for its user, at its first packet (its state is new): a socket
   * with state here and a user in its context is counted, so nothing more is kept.
   */
  join(socket: AnySocket, userId: string): void {
    this.counts.set(userId, (this.counts.get(userId) ?? 0) + 1);
    onSocketRelease(socket.nsp, this.release);
    // Registered from a packet: this socket reached `connection` before the step did.
    releaseWhenDisconnected(socket);
  }

  /** Users with a socket here (for tests). */
  get size(): number {
    return this.counts.size;
  }

  private leave(socket: AnySocket): void {
    if (!this.states.has(socket)) return;
    const userId = peekContext(socket)?.user?.id;
    if (userId === undefined) return;
    const left = (this.counts.get(userId) ?? 1) - 1;
    if (left > 0) {
      this.counts.set(userId, left);
      return;
    }
    this.counts.delete(userId);
    const now = this.now();
    for (const scope of this.scopes) scope.giveBack(userId, now);
  }
}

import { settingsOf, type AnySocket } from '@portcullis/core';

/** A clock in epoch milliseconds. */
export interface ClockSource {
  now(): number;
}

/**
 * Core's clock (`configurePortcullis(io, { now })`), for the work of a guard that has
 * no socket at hand: sweeping expired keys, a Redis answer or failure that arrives
 * later. It follows the server whose sockets the guard last saw; a check that has the
 * socket reads that server's clock directly.
 */
export class GuardClock implements ClockSource {
  now: () => number = Date.now;

  /** The clock of the socket's server, remembered for the work that comes later. */
  follow(socket: AnySocket): () => number {
    const now = settingsOf(socket).now;
    this.now = now;
    return now;
  }
}

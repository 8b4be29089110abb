import {
  DeadlineLane,
  GuardError,
  checkOptions,
  disconnectWithCode,
  getContext,
  settingsOf,
  type AnySocket,
  type DeadlineView,
  type PacketGuard,
  type PortcullisContext,
} from '@portcullis/core';
import {
  idleTimeoutGuardOptionsSpec,
  resolveIdleTimeoutOptions,
  type IdleTimeoutGuardOptions,
} from './options';
import { dropConnection, outgoingBytes } from './outgoing-buffer';

export const IDLE_TIMEOUT_GUARD_NAME = 'idle-timeout';

/** The packet guard, plus a view on its deadlines (core's one heap per server). */
export interface IdleTimeoutGuard<S extends AnySocket = AnySocket>
  extends PacketGuard<S>, DeadlineView {}

/** Scheduler resolution: 1% of the shorter limit, between 10 ms and 1 s. */
function resolutionFor(shortestMs: number): number {
  return Math.min(1000, Math.max(10, Math.floor(shortestMs / 100)));
}

/**
 * How often a socket's outgoing buffer is looked at: four times per grace period, at
 * most every 5 s (a reschedule of the socket's one scheduler entry; no timer of its own).
 */
function bufferCheckEvery(graceMs: number): number {
  return Math.max(10, Math.min(5000, Math.floor(graceMs / 4)));
}

/**
 * Disconnects sockets that send no application packet for `idleTimeoutMs`
 * (`IDLE_TIMEOUT`, retryable), clients that stop reading what the server sends
 * (`maxBufferedBytes`), and optionally sockets older than `maxConnectionAgeMs`.
 *
 * The per-packet check only stores `lastActivityAt` in the context, on core's clock
 * (`configurePortcullis(io, { now })`): no timer is touched per packet. Core's one
 * deadline heap per server holds one entry per socket, shared with the other guards
 * that have deadlines; when it comes due, the socket's real deadline is computed from
 * the context and the socket is either disconnected or looked at again then.
 *
 * @example
 * usePacketGuards(io, idleTimeoutGuard({ idleTimeoutMs: 5 * 60_000 }));
 */
export function idleTimeoutGuard<S extends AnySocket = AnySocket>(
  options: Readonly<IdleTimeoutGuardOptions> = {},
): IdleTimeoutGuard<S> {
  checkOptions(idleTimeoutGuardOptionsSpec, options, 'idleTimeoutGuard');
  const { idleTimeoutMs, maxConnectionAgeMs, countsAsActivity, slowReaders } =
    resolveIdleTimeoutOptions(options);
  const checkBufferEvery =
    slowReaders === undefined ? Infinity : bufferCheckEvery(slowReaders.graceMs);

  // A check that is off stands at Infinity: its deadline never comes.
  const deadlineOf = (context: PortcullisContext): number =>
    Math.min(context.lastActivityAt + idleTimeoutMs, context.connectedAt + maxConnectionAgeMs);

  /** The next time the entry must be looked at: its deadline, or the next buffer check. */
  const nextCheck = (context: PortcullisContext, at: number): number =>
    Math.min(deadlineOf(context), at + checkBufferEvery);

  /**
   * When each socket's outgoing buffer was first seen over the limit in a row: only
   * sockets over it right now have an entry, so a socket that reads costs nothing here.
   */
  const overLimitSince = new WeakMap<AnySocket, number>();

  /** Cuts the socket when its buffer stayed over the limit for the grace period. */
  const cutSlowReader = (socket: AnySocket, at: number): boolean => {
    if (slowReaders === undefined) return false;
    const { maxBufferedBytes, graceMs } = slowReaders;
    const conn: unknown = socket.conn;
    if (outgoingBytes(conn, maxBufferedBytes) <= maxBufferedBytes) {
      overLimitSince.delete(socket);
      return false;
    }
    let since = overLimitSince.get(socket);
    if (since === undefined) {
      since = at;
      overLimitSince.set(socket, at);
    }
    if (at - since < graceMs) return false;
    const error = new GuardError('IDLE_TIMEOUT', {
      message: 'The client did not read what the server sent.',
      info: { reason: 'slow-reader', maxBufferedBytes },
    });
    // The code is queued behind what the client did not read; it is for the record
    // (the security event) more than for the client.
    disconnectWithCode(socket, error, IDLE_TIMEOUT_GUARD_NAME);
    dropConnection(conn);
    return true;
  };

  const onDue = (socket: AnySocket, at: number): void => {
    const context = getContext(socket);
    if (at >= context.connectedAt + maxConnectionAgeMs) {
      const error = new GuardError('IDLE_TIMEOUT', {
        message: 'The connection reached its maximum age; reconnect.',
        info: { reason: 'max-age', maxConnectionAgeMs },
      });
      disconnectWithCode(socket, error, IDLE_TIMEOUT_GUARD_NAME);
      return;
    }
    if (at >= context.lastActivityAt + idleTimeoutMs) {
      const error = new GuardError('IDLE_TIMEOUT', { info: { reason: 'idle', idleTimeoutMs } });
      disconnectWithCode(socket, error, IDLE_TIMEOUT_GUARD_NAME);
      return;
    }
    // Otherwise there was activity since, or a buffer check came due: core moves the
    // socket's entry to the next of its deadlines (`nextAt`).
    cutSlowReader(socket, at);
  };

  const lane = new DeadlineLane({
    nextAt: (socket, at) => nextCheck(getContext(socket), at),
    onDue,
    resolutionMs: resolutionFor(Math.min(idleTimeoutMs, maxConnectionAgeMs)),
  });

  return lane.exposeOn<PacketGuard>({
    guardName: IDLE_TIMEOUT_GUARD_NAME,
    check(socket, packet) {
      if (countsAsActivity === undefined || countsAsActivity(packet[0])) {
        getContext(socket).lastActivityAt = settingsOf(socket).now();
      }
      return undefined;
    },
    attach(socket) {
      // A recovered socket keeps its context (connectedAt, lastActivityAt), so the time it
      // spent disconnected counts as idle and its age is not reset by the recovery.
      lane.watch(socket);
    },
    release(socket) {
      lane.unwatch(socket);
      overLimitSince.delete(socket);
    },
  });
}

import {
  SocketDeadlines,
  GuardError,
  checkOptions,
  disconnectWithCode,
  getContext,
  settingsOf,
  type AnySocket,
  type DeadlineView,
  type PacketGuard,
  type PortcullisContext,
  type ScheduledEntry,
} from '@portcullis/core';
import {
  idleTimeoutGuardOptionsSpec,
  resolveIdleTimeoutOptions,
  type IdleTimeoutGuardOptions,
} from './options';
import { dropConnection, outgoingBytes } from './outgoing-buffer';

export const IDLE_TIMEOUT_GUARD_NAME = 'idle-timeout';

/** The packet guard, plus a view on its single scheduler. */
export interface IdleTimeoutGuard<S extends AnySocket = AnySocket>
  extends PacketGuard<S>, DeadlineView {}

interface IdleEntry extends ScheduledEntry {
  readonly socket: AnySocket;
  /** When the outgoing buffer was first seen over the limit in a row; -1 when it is not. */
  overLimitSince: number;
}

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
 * (`configurePortcullis(io, { now })`): no timer is touched per packet. One scheduler per guard holds one entry per socket; when an entry comes
 * due, the socket's real deadline is computed from the context and the entry either
 * disconnects the socket or moves to that later deadline.
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
  // The scheduler has no socket at hand: it runs on the clock of the server whose
  // sockets it last took on (one server's, in any real deployment).
  let serverNow: () => number = Date.now;
  const checkBufferEvery =
    slowReaders === undefined ? Infinity : bufferCheckEvery(slowReaders.graceMs);

  // A check that is off stands at Infinity: its deadline never comes.
  const deadlineOf = (context: PortcullisContext): number =>
    Math.min(context.lastActivityAt + idleTimeoutMs, context.connectedAt + maxConnectionAgeMs);

  /** The next time the entry must be looked at: its deadline, or the next buffer check. */
  const nextCheck = (context: PortcullisContext, at: number): number =>
    Math.min(deadlineOf(context), at + checkBufferEvery);

  /** Cuts the socket when its buffer stayed over the limit for the grace period. */
  const cutSlowReader = (entry: IdleEntry, at: number): boolean => {
    if (slowReaders === undefined) return false;
    const { maxBufferedBytes, graceMs } = slowReaders;
    const conn: unknown = entry.socket.conn;
    if (outgoingBytes(conn, maxBufferedBytes) <= maxBufferedBytes) {
      entry.overLimitSince = -1;
      return false;
    }
    if (entry.overLimitSince < 0) entry.overLimitSince = at;
    if (at - entry.overLimitSince < graceMs) return false;
    const error = new GuardError('IDLE_TIMEOUT', {
      message: 'The client did not read what the server sent.',
      info: { reason: 'slow-reader', maxBufferedBytes },
    });
    // The code is queued behind what the client did not read; it is for the record
    // (the security event) more than for the client.
    disconnectWithCode(entry.socket, error, IDLE_TIMEOUT_GUARD_NAME);
    dropConnection(conn);
    return true;
  };

  const onDue = (entry: IdleEntry, at: number): void => {
    const { socket } = entry;
    if (!socket.connected) return;
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
    if (cutSlowReader(entry, at)) return;
    // There was activity since the entry was scheduled, or a buffer check came due:
    // wait until the next of the two.
    scheduler.schedule(entry, nextCheck(context, at));
  };

  const scheduler = new SocketDeadlines<IdleEntry>({
    now: () => serverNow(),
    onDue,
    resolutionMs: resolutionFor(Math.min(idleTimeoutMs, maxConnectionAgeMs)),
  });

  return scheduler.exposeOn<PacketGuard>({
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
      const now = settingsOf(socket).now;
      serverNow = now;
      const context = getContext(socket);
      const entry: IdleEntry = { deadline: 0, heapIndex: -1, socket, overLimitSince: -1 };
      scheduler.track(socket, entry);
      scheduler.schedule(entry, nextCheck(context, now()));
    },
    release: (socket) => scheduler.release(socket),
  });
}

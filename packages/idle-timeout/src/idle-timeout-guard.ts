import {
  GuardError,
  disconnectWithCode,
  getContext,
  type AnySocket,
  type PacketGuard,
  type PortcullisContext,
} from '@portcullis/core';
import { DeadlineScheduler, type ScheduledEntry } from '@portcullis/core';
import { resolveIdleTimeoutOptions, type IdleTimeoutGuardOptions } from './options';

export const IDLE_TIMEOUT_GUARD_NAME = 'idle-timeout';

/** The packet guard, plus a view on its single scheduler. */
export interface IdleTimeoutGuard<S extends AnySocket = AnySocket> extends PacketGuard<S> {
  /** Sockets currently watched (one heap entry each). */
  readonly watchedSockets: number;
  /** Timers held by this guard: 1 while any socket is watched, else 0. */
  readonly timerCount: number;
  /** Checks every watched socket against the clock now (after moving a test clock). */
  sweep(): void;
}

interface IdleEntry extends ScheduledEntry {
  readonly socket: AnySocket;
}

/** Scheduler resolution: 1% of the timeout, between 10 ms and 1 s. */
function resolutionFor(idleTimeoutMs: number): number {
  return Math.min(1000, Math.max(10, Math.floor(idleTimeoutMs / 100)));
}

/**
 * Disconnects sockets that send no application packet for `idleTimeoutMs`
 * (`IDLE_TIMEOUT`, retryable), and optionally sockets older than `maxConnectionAgeMs`.
 *
 * The per-packet check only stores `lastActivityAt` in the context: no timer is touched
 * per packet. One scheduler per guard holds one entry per socket; when an entry comes
 * due, the socket's real deadline is computed from the context and the entry either
 * disconnects the socket or moves to that later deadline.
 *
 * @example
 * usePacketGuards(io, idleTimeoutGuard({ idleTimeoutMs: 5 * 60_000 }));
 */
export function idleTimeoutGuard<S extends AnySocket = AnySocket>(
  options: Readonly<IdleTimeoutGuardOptions> = {},
): IdleTimeoutGuard<S> {
  const { idleTimeoutMs, maxConnectionAgeMs, countsAsActivity, now } =
    resolveIdleTimeoutOptions(options);

  const deadlineOf = (context: PortcullisContext): number => {
    const idleAt = context.lastActivityAt + idleTimeoutMs;
    return maxConnectionAgeMs === undefined
      ? idleAt
      : Math.min(idleAt, context.connectedAt + maxConnectionAgeMs);
  };

  const onDue = (entry: IdleEntry, at: number): void => {
    const { socket } = entry;
    if (!socket.connected) return;
    const context = getContext(socket);
    if (maxConnectionAgeMs !== undefined && at >= context.connectedAt + maxConnectionAgeMs) {
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
    // There was activity since the entry was scheduled: wait until the new deadline.
    scheduler.schedule(entry, deadlineOf(context));
  };

  const scheduler = new DeadlineScheduler<IdleEntry>({
    now,
    onDue,
    resolutionMs: resolutionFor(idleTimeoutMs),
  });

  return {
    guardName: IDLE_TIMEOUT_GUARD_NAME,
    check(socket, packet) {
      if (countsAsActivity === undefined || countsAsActivity(packet[0])) {
        getContext(socket).lastActivityAt = now();
      }
      return undefined;
    },
    attach(socket) {
      // A recovered socket keeps its context (connectedAt, lastActivityAt), so the time it
      // spent disconnected counts as idle and its age is not reset by the recovery.
      const context = getContext(socket);
      const entry: IdleEntry = { deadline: 0, heapIndex: -1, socket };
      scheduler.schedule(entry, deadlineOf(context));
      socket.once('disconnect', () => scheduler.cancel(entry));
    },
    get watchedSockets() {
      return scheduler.size;
    },
    get timerCount() {
      return scheduler.timerCount;
    },
    sweep() {
      scheduler.run();
    },
  };
}

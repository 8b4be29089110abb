import {
  DeadlineLane,
  GuardError,
  PACKET_HANDLED,
  checkOptions,
  disconnectWithCode,
  recordSocketEvent,
  settingsOf,
  type AnySocket,
  type DeadlineView,
  type PacketGuard,
} from '@portcullis/core';
import {
  resolveSessionExpiryOptions,
  sessionExpiryGuardOptionsSpec,
  type SessionExpiryGuardOptions,
} from './options';
import { SESSION_EXPIRY_GUARD_NAME, handleRefresh } from './refresh';
import { sessionContext, type InFlight } from './session-state';

/** The packet guard, plus a view on its deadlines (core's one heap per server). */
export interface SessionExpiryGuard<S extends AnySocket = AnySocket>
  extends PacketGuard<S>, DeadlineView {}

/** Deadlines are handled at most this late; a packet never passes an expired session. */
const RESOLUTION_MS = 50;

/** Payload of `portcullis:expiring`. */
export interface ExpiringNotice {
  expiresAt: number;
  expiresInMs: number;
}

/**
 * Ends sockets whose session ends: at `user.expiresAt` (+ `graceMs`) the socket is
 * disconnected with `SESSION_EXPIRED` (or loses its user, with `atExpiry: 'drop-user'`),
 * after a `portcullis:expiring` warning. A client can move its expiry without
 * reconnecting by sending `portcullis:refresh` with a new token. An optional
 * `revalidate` hook runs periodically and can revoke the session.
 *
 * Core's one deadline heap per server drives every socket's deadlines with one timer
 * (one entry per socket, shared with the other guards that have deadlines); the
 * per-packet check also compares the clock with the expiry, so a late timer never lets
 * a packet of an expired session through. The clock is core's (`configurePortcullis(io, { now })`);
 * what the guard knows of a socket (warned, next revalidation, dropped user) is in its
 * context record.
 *
 * @example
 * usePacketGuards(io, sessionExpiryGuard({ verifyToken: createTokenVerifier(authOptions) }));
 */
export function sessionExpiryGuard<S extends AnySocket = AnySocket>(
  options: Readonly<SessionExpiryGuardOptions> = {},
): SessionExpiryGuard<S> {
  checkOptions(sessionExpiryGuardOptionsSpec, options, 'sessionExpiryGuard');
  const resolved = resolveSessionExpiryOptions(options);
  const { graceMs, warnBeforeMs, atExpiry, publicEvents, revalidate } = resolved;
  const revalidating: InFlight = new WeakSet();
  const refreshing: InFlight = new WeakSet();

  /** The socket's next deadline here, from its context: warning, expiry, revalidation. */
  const nextAt = (socket: AnySocket): number => {
    const context = sessionContext(socket);
    const user = context.user;
    if (user === undefined) return Infinity;
    let deadline = context.revalidateAt ?? Infinity;
    const { expiresAt } = user;
    if (expiresAt !== undefined) {
      deadline = Math.min(deadline, expiresAt + graceMs);
      if (warnBeforeMs !== undefined && context.expiryWarnedFor !== expiresAt) {
        deadline = Math.min(deadline, expiresAt - warnBeforeMs);
      }
    }
    return deadline;
  };

  // A socket that lost its user has no deadline here (`nextAt` is Infinity): its entry,
  // if it comes due for this guard's old deadline, finds nothing to do.
  const expire = (socket: AnySocket): void => {
    const context = sessionContext(socket);
    const user = context.user;
    if (user === undefined) return;
    if (atExpiry === 'disconnect') {
      disconnectWithCode(socket, new GuardError('SESSION_EXPIRED'), SESSION_EXPIRY_GUARD_NAME);
      return;
    }
    context.droppedUser =
      user.sessionId === undefined ? { id: user.id } : { id: user.id, sessionId: user.sessionId };
    context.user = undefined;
    socket.emit(resolved.expiredEvent, {
      ...new GuardError('SESSION_EXPIRED').data,
      expiresAt: user.expiresAt,
    });
    resolved.onUserChange?.(socket);
  };

  const isExpired = (socket: AnySocket, at: number): boolean => {
    const expiresAt = sessionContext(socket).user?.expiresAt;
    return expiresAt !== undefined && at >= expiresAt + graceMs;
  };

  const revalidationFailed = (socket: AnySocket, cause: unknown): void => {
    recordSocketEvent(socket, 'warning', {
      guard: SESSION_EXPIRY_GUARD_NAME,
      detail: { reason: 'revalidate-failed', policy: resolved.onRevalidateError },
    });
    if (resolved.onRevalidateError === 'deny') {
      const error = new GuardError('INTERNAL', { cause });
      disconnectWithCode(socket, error, SESSION_EXPIRY_GUARD_NAME);
    }
  };

  const runRevalidation = (socket: AnySocket, at: number): void => {
    if (revalidate === undefined || revalidating.has(socket)) return;
    const context = sessionContext(socket);
    revalidating.add(socket);
    context.revalidateAt = at + resolved.revalidateIntervalMs;
    let answer: Promise<boolean>;
    try {
      answer = Promise.resolve(revalidate(context));
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      (valid: unknown) => {
        revalidating.delete(socket);
        if (!socket.connected || context.user === undefined) return;
        if (valid === true) return;
        if (valid === false) {
          const error = new GuardError('SESSION_REVOKED');
          disconnectWithCode(socket, error, SESSION_EXPIRY_GUARD_NAME);
          return;
        }
        revalidationFailed(socket, new TypeError('revalidate must answer true or false'));
      },
      (error: unknown) => {
        revalidating.delete(socket);
        if (socket.connected) revalidationFailed(socket, error);
      },
    );
  };

  const onDue = (socket: AnySocket, at: number): void => {
    const context = sessionContext(socket);
    const user = context.user;
    if (user === undefined) return;
    if (isExpired(socket, at)) {
      expire(socket);
      return;
    }
    const { expiresAt } = user;
    if (
      expiresAt !== undefined &&
      warnBeforeMs !== undefined &&
      context.expiryWarnedFor !== expiresAt &&
      at >= expiresAt - warnBeforeMs
    ) {
      context.expiryWarnedFor = expiresAt;
      const notice: ExpiringNotice = { expiresAt, expiresInMs: Math.max(0, expiresAt - at) };
      socket.emit(resolved.expiringEvent, notice);
    }
    if (at >= (context.revalidateAt ?? Infinity)) runRevalidation(socket, at);
    // Core then moves the socket's entry to its next deadline (`nextAt`).
  };

  const lane = new DeadlineLane({ nextAt, onDue, resolutionMs: RESOLUTION_MS });

  const restricted = (event: string): GuardError | undefined => {
    if (publicEvents.has(event)) return undefined;
    return new GuardError('AUTH_REQUIRED', {
      message: 'The session has expired: refresh the token to send this event.',
    });
  };

  return lane.exposeOn<PacketGuard>({
    guardName: SESSION_EXPIRY_GUARD_NAME,
    check(socket, packet) {
      // The refresh is answered here and never reaches later guards or the handlers. It
      // comes after the size and rate guards in a chain, so it pays their checks too.
      if (packet[0] === resolved.refreshEvent) {
        handleRefresh(socket, packet, resolved, refreshing, onRefreshed);
        return PACKET_HANDLED;
      }
      const context = sessionContext(socket);
      if (context.droppedUser !== undefined) return restricted(packet[0]);
      const expiresAt = context.user?.expiresAt;
      if (expiresAt === undefined) return undefined;
      if (settingsOf(socket).now() < expiresAt + graceMs) return undefined;
      // The timer has not fired yet; the packet must not pass an expired session anyway.
      expire(socket);
      if (atExpiry === 'disconnect') return new GuardError('SESSION_EXPIRED');
      return restricted(packet[0]);
    },
    attach(socket) {
      const now = settingsOf(socket).now;
      const context = sessionContext(socket);
      // A recovered socket keeps its record: its next revalidation is not pushed back.
      if (revalidate !== undefined && context.revalidateAt === undefined) {
        context.revalidateAt = now() + resolved.revalidateIntervalMs;
      }
      if (socket.recovered) {
        // io.use did not run for this socket (skipMiddlewares): check what it would have.
        if (isExpired(socket, now())) {
          expire(socket);
          if (!socket.connected) return;
        }
        if (context.user !== undefined) runRevalidation(socket, now());
      }
      lane.watch(socket);
    },
    release: (socket) => lane.unwatch(socket),
  });

  function onRefreshed(socket: AnySocket): void {
    sessionContext(socket).expiryWarnedFor = undefined;
    lane.reschedule(socket);
    resolved.onUserChange?.(socket);
  }
}

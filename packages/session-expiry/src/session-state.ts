import type { AnySocket } from '@portcullis/core';
import type { ScheduledEntry } from '@portcullis/core';

/** Who a socket belonged to before its user was dropped at expiry. */
export interface DroppedUser {
  readonly id: string;
  readonly sessionId?: string;
}

/** Per-socket state: one heap entry, released with the socket. */
export interface SessionEntry extends ScheduledEntry {
  readonly socket: AnySocket;
  /** The `expiresAt` the client was already warned about. */
  warnedFor: number | undefined;
  /** Next periodic revalidation (Infinity without a hook). */
  revalidateAt: number;
  revalidating: boolean;
  refreshing: boolean;
}

const DROPPED_KEY = 'portcullisExpiredUser';

/**
 * The dropped user is kept in `socket.data` beside the context, so that it survives
 * connection state recovery: a recovered socket stays restricted to public events.
 */
export function droppedUserOf(socket: AnySocket): DroppedUser | undefined {
  const data = socket.data as Record<string, unknown> | undefined;
  return data?.[DROPPED_KEY] as DroppedUser | undefined;
}

export function setDroppedUser(socket: AnySocket, user: DroppedUser | undefined): void {
  const data = (socket.data ?? (socket.data = {})) as Record<string, unknown>;
  if (user === undefined) delete data[DROPPED_KEY];
  else data[DROPPED_KEY] = user;
}

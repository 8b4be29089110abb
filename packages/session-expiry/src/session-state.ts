import { getContext, type AnySocket, type PortcullisContext } from '@portcullis/core';

/** Who a socket belonged to before its user was dropped at expiry. */
export interface DroppedUser {
  readonly id: string;
  readonly sessionId?: string;
}

/**
 * What this guard keeps in the socket's context record (`socket.data.portcullis`), as
 * plain numbers and strings: it survives connection state recovery with the rest of the
 * context, shows in `fetchSockets()` on every node, and goes with the socket.
 */
export interface SessionFields {
  /** The `expiresAt` the client was last warned about (`portcullis:expiring`). */
  expiryWarnedFor?: number;
  /** Epoch milliseconds of the next periodic revalidation; absent without a hook. */
  revalidateAt?: number;
  /**
   * Who the socket belonged to before `atExpiry: 'drop-user'` removed its user, so a
   * recovered socket stays restricted and only that same user can refresh it back.
   */
  droppedUser?: DroppedUser;
}

/** The socket's context, with this guard's fields (core's type does not declare them yet). */
export function sessionContext(socket: AnySocket): PortcullisContext & SessionFields {
  return getContext(socket) as PortcullisContext & SessionFields;
}

/**
 * What stays out of the record: whether a revalidation or a refresh is in flight (a
 * promise of this process). Only sockets with one in flight are in the set, so a socket
 * costs nothing here between them.
 */
export type InFlight = WeakSet<AnySocket>;

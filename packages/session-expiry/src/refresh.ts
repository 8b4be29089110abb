import {
  GuardError,
  isGuardError,
  refusePacket,
  settingsOf,
  type AnySocket,
  type Packet,
  type PortcullisUser,
} from '@portcullis/core';
import type { ResolvedSessionExpiryOptions } from './options';
import { sessionContext, type InFlight } from './session-state';

/** Longer than any sensible JWT; anything longer is refused before it is parsed. */
const MAX_TOKEN_LENGTH = 16 * 1024;

export const SESSION_EXPIRY_GUARD_NAME = 'session-expiry';

/** The answer to a successful refresh. */
export interface RefreshReply {
  ok: true;
  /** The new expiry (epoch ms), or `null` when the new token does not expire. */
  expiresAt: number | null;
}

function tokenOf(payload: unknown): string | undefined {
  if (typeof payload === 'string') return payload;
  if (typeof payload === 'object' && payload !== null) {
    const token = (payload as { token?: unknown }).token;
    if (typeof token === 'string') return token;
  }
  return undefined;
}

function isUser(value: unknown): value is PortcullisUser {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'string' &&
    typeof (value as { claims?: unknown }).claims === 'object'
  );
}

/** Why the verified user cannot replace the current one; `undefined` when it can. */
function mismatch(
  current: { id: string; sessionId?: string | undefined } | undefined,
  next: PortcullisUser,
  options: ResolvedSessionExpiryOptions,
  now: number,
): GuardError | undefined {
  // Refresh continues a session; it is not a way to log in on an anonymous socket.
  if (current === undefined || next.id !== current.id) return new GuardError('AUTH_INVALID');
  if (
    options.requireSameSession &&
    current.sessionId !== undefined &&
    next.sessionId !== current.sessionId
  ) {
    return new GuardError('AUTH_INVALID');
  }
  if (next.expiresAt !== undefined && next.expiresAt <= now) return new GuardError('AUTH_EXPIRED');
  return undefined;
}

/**
 * Handles `portcullis:refresh`: verifies the new token with the handshake's verifier,
 * checks it belongs to the same user (and session), then replaces the context's user,
 * which moves the expiry. Any failure is answered with its code and changes nothing.
 * One refresh at a time per socket: a verifier may be costly (RSA, remote JWKS).
 */
export function handleRefresh(
  socket: AnySocket,
  packet: Packet,
  options: ResolvedSessionExpiryOptions,
  refreshing: InFlight,
  onRefreshed: (socket: AnySocket) => void,
): void {
  const refuse = (error: GuardError): void => {
    try {
      refusePacket(socket, packet, error, SESSION_EXPIRY_GUARD_NAME);
    } catch {
      // The client may be gone mid-reply.
    }
  };
  const { verifyToken } = options;
  if (verifyToken === undefined) {
    refuse(new GuardError('FORBIDDEN', { message: 'Token refresh is not enabled.' }));
    return;
  }
  if (refreshing.has(socket)) {
    refuse(new GuardError('RATE_LIMITED', { message: 'A refresh is already in progress.' }));
    return;
  }
  const token = tokenOf(packet[1]);
  if (token === undefined || token.length === 0) {
    refuse(new GuardError('AUTH_REQUIRED'));
    return;
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    refuse(new GuardError('AUTH_INVALID'));
    return;
  }
  const last = packet[packet.length - 1];
  const ack = typeof last === 'function' ? (last as (reply: RefreshReply) => void) : undefined;
  refreshing.add(socket);
  let verified: Promise<PortcullisUser>;
  try {
    verified = Promise.resolve(verifyToken(token, socket));
  } catch (error) {
    verified = Promise.reject(error);
  }
  verified.then(
    (user) => {
      refreshing.delete(socket);
      if (!socket.connected) return;
      if (!isUser(user)) {
        refuse(new GuardError('INTERNAL'));
        return;
      }
      const context = sessionContext(socket);
      const current = context.user ?? context.droppedUser;
      const refused = mismatch(current, user, options, settingsOf(socket).now());
      if (refused !== undefined) {
        refuse(refused);
        return;
      }
      context.user = user;
      delete context.droppedUser;
      onRefreshed(socket);
      ack?.({ ok: true, expiresAt: user.expiresAt ?? null });
    },
    (error: unknown) => {
      refreshing.delete(socket);
      refuse(isGuardError(error) ? error : new GuardError('INTERNAL', { cause: error }));
    },
  );
}

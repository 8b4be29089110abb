import {
  GuardError,
  disconnectWithCode,
  peekContext,
  type AnyNamespace,
  type AnyServer,
  type AnySocket,
} from '@portcullis/core';
import { issuedAtMsOf } from './identity';
import { revocationIndexOf, type RevocationIndex } from './local-index';

/** The server-side event that carries a revocation from node to node. */
export const REVOKE_EVENT = 'portcullis:revoke';

/**
 * What one revocation tells every node. Session and token ids travel as digests, as in
 * the denylist's keys: they may be bearer secrets and never cross Redis in clear.
 */
export type RevocationMessage =
  | { readonly kind: 'user'; readonly userId: string; readonly exceptSession?: string }
  | { readonly kind: 'session'; readonly session: string }
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'issuedBefore'; readonly userId: string; readonly before: number };

const MAX_KEY_LENGTH = 1024;

function isKey(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_KEY_LENGTH;
}

/** A message from another node (or an emitter) read defensively; `undefined` if malformed. */
export function readRevocationMessage(value: unknown): RevocationMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  switch (message.kind) {
    case 'user':
      if (!isKey(message.userId)) return undefined;
      if (message.exceptSession !== undefined && !isKey(message.exceptSession)) return undefined;
      return message.exceptSession === undefined
        ? { kind: 'user', userId: message.userId }
        : { kind: 'user', userId: message.userId, exceptSession: message.exceptSession };
    case 'session':
      return isKey(message.session) ? { kind: 'session', session: message.session } : undefined;
    case 'token':
      return isKey(message.token) ? { kind: 'token', token: message.token } : undefined;
    case 'issuedBefore':
      return isKey(message.userId) && typeof message.before === 'number'
        ? { kind: 'issuedBefore', userId: message.userId, before: message.before }
        : undefined;
    default:
      return undefined;
  }
}

const GUARD = 'logout-revoke';
const revoked = new GuardError('SESSION_REVOKED');

function matches(index: RevocationIndex, message: RevocationMessage): readonly AnySocket[] {
  switch (message.kind) {
    case 'user': {
      const sockets = index.ofUser(message.userId);
      const kept = message.exceptSession;
      return kept === undefined
        ? sockets
        : sockets.filter((socket) => index.sessionOf(socket) !== kept);
    }
    case 'session':
      return index.ofSession(message.session);
    case 'token':
      return index.ofToken(message.token);
    case 'issuedBefore':
      return index.ofUser(message.userId).filter((socket) => {
        const user = peekContext(socket)?.user;
        const issuedAt = user === undefined ? undefined : issuedAtMsOf(user);
        // Without an issue time a credential cannot prove it is newer than the cutoff.
        return issuedAt === undefined || issuedAt <= message.before;
      });
  }
}

/**
 * Cuts this node's sockets that the revocation names: `portcullis:disconnect` with
 * `SESSION_REVOKED` (the node's configured event), then the connection closes.
 * Returns how many were cut.
 */
export function cutLocally(server: AnyServer, message: RevocationMessage): number {
  const index = revocationIndexOf(server);
  index.recent.add(message, Date.now());
  const sockets = matches(index, message);
  for (const socket of sockets) disconnectWithCode(socket, revoked, GUARD);
  return sockets.length;
}

/**
 * Applies to one just-indexed socket the revocations this node logged since `position`
 * (taken before its handshake read the denylist). Answers `false` when the log no longer
 * reaches back that far: the caller reads the denylist again.
 */
export function catchUpOnRevocations(socket: AnySocket, position: number): boolean {
  const index = revocationIndexOf(socket.nsp.server);
  const missed = index.recent.since(position);
  if (missed === undefined) return false;
  for (const message of missed) {
    if (matches(index, message).includes(socket)) {
      disconnectWithCode(socket, revoked, GUARD);
      break;
    }
  }
  return true;
}

/**
 * Whether the namespace's adapter carries server-side events to other nodes (the Redis
 * adapter and other cluster adapters do; Socket.io's in-memory adapter only warns).
 * Found by where `serverSideEmit` is defined: an override above the base class.
 */
export function carriesServerSideEvents(nsp: AnyNamespace): boolean {
  let owner: object | null = Object.getPrototypeOf(nsp.adapter) as object | null;
  while (owner !== null && !Object.hasOwn(owner, 'serverSideEmit')) {
    owner = Object.getPrototypeOf(owner) as object | null;
  }
  if (owner === null) return false;
  for (let above = Object.getPrototypeOf(owner) as object | null; above !== null;) {
    if (Object.hasOwn(above, 'serverSideEmit')) return true;
    above = Object.getPrototypeOf(above) as object | null;
  }
  return false;
}

const listening = new WeakSet<AnyNamespace>();

/**
 * Makes the namespace act on revocations that other nodes (or an emitter) send through
 * it. Once per namespace; a message that arrives through several namespaces cuts once,
 * since a cut socket leaves the index.
 */
export function listenForRevocations(nsp: AnyNamespace): void {
  if (listening.has(nsp)) return;
  listening.add(nsp);
  nsp.on(REVOKE_EVENT, (value: unknown) => {
    const message = readRevocationMessage(value);
    if (message !== undefined) cutLocally(nsp.server, message);
  });
}

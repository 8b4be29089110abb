import {
  checkOptions,
  opt,
  type AnyNamespace,
  type AnyServer,
  type OptionSpec,
} from '@portcullis/core';
import { denylistSpec, type Denylist, type RevokeUserOptions } from './denylist';
import { digest } from './identity';
import {
  REVOKE_EVENT,
  carriesServerSideEvents,
  cutLocally,
  type RevocationMessage,
} from './revocation-message';

/**
 * Where revocations are sent: a Socket.io server or namespace (this node's sockets are
 * cut at once, the other nodes hear it through the adapter), or an
 * `@socket.io/redis-emitter` `Emitter` (the nodes hear it through Redis). All of them
 * have `serverSideEmit`.
 */
export interface RevocationTarget {
  serverSideEmit(event: string, ...args: unknown[]): unknown;
}

export interface RevokerOptions {
  /**
   * Where sockets live: `io`, `io.of('/chat')`, an `@socket.io/redis-emitter` `Emitter`,
   * or several of them (one per namespace your clients use).
   */
  target: RevocationTarget | readonly RevocationTarget[];
  /** The denylist the Socket.io nodes check at the handshake (same store). */
  denylist: Denylist;
  /**
   * Accepted for compatibility and no longer read: each node tells its clients with its
   * own `configurePortcullis(io, { disconnectEvent })`.
   */
  disconnectEvent?: string;
}

/** Revokes, then disconnects the matching sockets on every node. */
export interface Revoker {
  /**
   * Every socket of the user, on every node, and every token of the user issued up to
   * now. `exceptSession` keeps one session: "log out my other devices".
   */
  revokeUser(userId: string, options?: RevokeUserOptions): Promise<void>;
  /** Every socket and every token of one session. */
  revokeSession(sessionId: string): Promise<void>;
  /** The sockets opened with one token (`jti`), and the token until `expiresAt` (epoch ms). */
  revokeToken(jti: string, expiresAt: number): Promise<void>;
  /**
   * Every token of the user issued at or before `time` (epoch ms), and the sockets opened
   * with them (picked on each node by their context's `user.issuedAt`).
   */
  revokeIssuedBefore(userId: string, time: number): Promise<void>;
}

function isRevocationTarget(value: unknown): value is RevocationTarget {
  return typeof (value as { serverSideEmit?: unknown } | null)?.serverSideEmit === 'function';
}

const targetSpec = opt.custom(
  'a Socket.io server or namespace, or an @socket.io/redis-emitter Emitter',
  isRevocationTarget,
);

/** Every option `createRevoker` takes. */
export const createRevokerOptionsSpec: OptionSpec = opt.object({
  target: opt.required(opt.union(targetSpec, opt.array(targetSpec, { minLength: 1 }))),
  denylist: opt.required(denylistSpec),
  disconnectEvent: opt.string(),
});

/**
 * What a target is on this node: a server (`io`), one namespace, a whole server's
 * namespaces (`everyNamespace(io)`), or only a sender (an emitter, in another process).
 */
export type TargetKind =
  | { readonly kind: 'server'; readonly server: AnyServer }
  | { readonly kind: 'namespace'; readonly server: AnyServer; readonly nsp: AnyNamespace }
  | { readonly kind: 'sender' };

export function targetKind(target: RevocationTarget): TargetKind {
  const candidate = target as {
    of?: unknown;
    sockets?: unknown;
    server?: unknown;
    adapter?: unknown;
  };
  if (typeof candidate.of === 'function' && typeof candidate.sockets === 'object') {
    return { kind: 'server', server: target as unknown as AnyServer };
  }
  const server = candidate.server as Partial<AnyServer> | undefined;
  if (typeof server?.of !== 'function') return { kind: 'sender' };
  // A namespace has its adapter object; `everyNamespace(io)` is the whole server.
  if (typeof candidate.adapter === 'object' && candidate.adapter !== null) {
    return {
      kind: 'namespace',
      server: server as AnyServer,
      nsp: target as unknown as AnyNamespace,
    };
  }
  return { kind: 'server', server: server as AnyServer };
}

/** The namespace through which this node sends to, and hears from, the other nodes. */
export function revocationChannel(kind: TargetKind): AnyNamespace | undefined {
  if (kind.kind === 'sender') return undefined;
  return kind.kind === 'namespace' ? kind.nsp : kind.server.sockets;
}

/**
 * Sends the message to the other nodes. Through a server or namespace of this node only
 * a cluster adapter carries it anywhere; with Socket.io's in-memory adapter there is no
 * other node, and nothing is sent.
 */
function sendToOtherNodes(target: RevocationTarget, message: RevocationMessage): void {
  const channel = revocationChannel(targetKind(target));
  if (channel === undefined) {
    target.serverSideEmit(REVOKE_EVENT, message);
  } else if (carriesServerSideEvents(channel)) {
    channel.serverSideEmit(REVOKE_EVENT, message);
  }
}

/**
 * The revocation API, for a Socket.io node (`target: io`) or for any other process that
 * shares the Redis (`target: new Emitter(redis)`), e.g. the HTTP app handling logout.
 *
 * Order matters: the denylist is written first, so a disconnected client that tries to
 * reconnect is refused; then this node's matching sockets are told
 * (`portcullis:disconnect { code: 'SESSION_REVOKED' }`) and cut, and one server-side
 * message (`portcullis:revoke`) goes through the adapter, on which every other node
 * does the same with its own sockets, found in its local index. No reply from any node
 * is awaited.
 *
 * @example
 * const revoker = createRevoker({ target: new Emitter(redis), denylist });
 * app.post('/logout', async (req, res) => {
 *   await revoker.revokeUser(req.user.id);
 *   res.sendStatus(204);
 * });
 */
export function createRevoker(options: Readonly<RevokerOptions>): Revoker {
  checkOptions(createRevokerOptionsSpec, options, 'createRevoker');
  const targets: readonly RevocationTarget[] = Array.isArray(options.target)
    ? options.target
    : [options.target as RevocationTarget];
  const { denylist } = options;
  const localServers = new Set<AnyServer>();
  for (const target of targets) {
    const kind = targetKind(target);
    if (kind.kind !== 'sender') localServers.add(kind.server);
  }

  const cut = (message: RevocationMessage): void => {
    // This node at once, whatever the adapter: while Redis is down the message waits in
    // the client's queue, but the sockets here are closed now.
    for (const server of localServers) cutLocally(server, message);
    for (const target of targets) sendToOtherNodes(target, message);
  };

  /**
   * The denylist first, so a cut client that reconnects at once is refused. When the
   * write fails (store down) the sockets are cut all the same and the caller gets the
   * error: a logout during an outage still ends what is open, and the handshake check,
   * which fails closed by default, keeps the user out until the store is back. Misuse
   * (a `TypeError`, thrown before anything is written) cuts nothing.
   */
  const writeThenCut = async (
    write: Promise<unknown>,
    message: RevocationMessage,
  ): Promise<void> => {
    try {
      await write;
    } catch (error) {
      if (!(error instanceof TypeError)) cut(message);
      throw error;
    }
    cut(message);
  };

  return {
    async revokeUser(userId, revokeOptions = {}) {
      const { exceptSession } = revokeOptions;
      const write = denylist.revokeUser(userId, revokeOptions);
      await writeThenCut(
        write,
        typeof exceptSession === 'string' && exceptSession.length > 0
          ? { kind: 'user', userId, exceptSession: digest(exceptSession) }
          : { kind: 'user', userId },
      );
    },
    async revokeSession(sessionId) {
      const write = denylist.revokeSession(sessionId);
      await writeThenCut(write, { kind: 'session', session: digestOrEmpty(sessionId) });
    },
    async revokeToken(jti, expiresAt) {
      const write = denylist.revokeToken(jti, expiresAt);
      await writeThenCut(write, { kind: 'token', token: digestOrEmpty(jti) });
    },
    async revokeIssuedBefore(userId, time) {
      const write = denylist.revokeIssuedBefore(userId, time);
      await writeThenCut(write, { kind: 'issuedBefore', userId, before: time });
    },
  };
}

/** A digest of a valid id; misuse is refused by the denylist call before any cut. */
function digestOrEmpty(id: unknown): string {
  return typeof id === 'string' && id.length > 0 ? digest(id) : '';
}

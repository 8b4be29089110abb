import {
  DEFAULT_DISCONNECT_EVENT,
  GuardError,
  checkOptions,
  opt,
  peekContext,
  type OptionSpec,
} from '@portcullis/core';
import { denylistSpec, type Denylist, type RevokeUserOptions } from './denylist';
import { checkId, issuedAtMsOf } from './identity';
import { sessionRoom, tokenRoom, userRoom } from './rooms';

/** A socket as `fetchSockets()` returns it, on this node or another. */
export interface RevocableRemoteSocket {
  readonly data: unknown;
  emit(event: string, ...args: unknown[]): unknown;
  disconnect(close?: boolean): unknown;
}

/**
 * What a revocation is sent through: `io.in(room)` of a Socket.io server or namespace,
 * or of an `@socket.io/redis-emitter` `Emitter`. The adapter carries it to every node.
 */
export interface RevocationBroadcast {
  except(room: string): RevocationBroadcast;
  emit(event: string, ...args: unknown[]): unknown;
  disconnectSockets(close?: boolean): unknown;
  /** Present on a Socket.io server, absent on the Redis emitter. */
  fetchSockets?: () => Promise<readonly RevocableRemoteSocket[]>;
}

/** A Socket.io server or namespace, or an `Emitter` (`emitter.of('/chat')` for a namespace). */
export interface RevocationTarget {
  in(room: string): RevocationBroadcast;
  /** This node's sockets only (a server or namespace has it; an `Emitter` does not). */
  readonly local?: { in(room: string): RevocationBroadcast };
}

export interface RevokerOptions {
  /**
   * Where sockets live: `io`, `io.of('/chat')`, an `@socket.io/redis-emitter` `Emitter`,
   * or several of them (one per namespace your clients use).
   */
  target: RevocationTarget | readonly RevocationTarget[];
  /** The denylist the Socket.io nodes check at the handshake (same store). */
  denylist: Denylist;
  /** Event sent before the close. Default `portcullis:disconnect`. */
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
   * with them. With a past `time` the sockets are picked by their context's
   * `user.issuedAt`, which needs `fetchSockets()`: a Socket.io server, not the Redis emitter.
   */
  revokeIssuedBefore(userId: string, time: number): Promise<void>;
}

function isRevocationTarget(value: unknown): value is RevocationTarget {
  return typeof (value as { in?: unknown } | null)?.in === 'function';
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
 * The revocation API, for a Socket.io node (`target: io`) or for any other process that
 * shares the Redis (`target: new Emitter(redis)`), e.g. the HTTP app handling logout.
 *
 * Order matters: the denylist is written first, so a disconnected client that tries to
 * reconnect is refused; then `portcullis:disconnect { code: 'SESSION_REVOKED' }` is
 * broadcast to the room and the room's sockets are disconnected. Both go through the
 * adapter on one Redis connection, in that order, so every node delivers the event
 * before it closes the socket. Only rooms are used: no reply from any node is awaited.
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
  const disconnectEvent = options.disconnectEvent ?? DEFAULT_DISCONNECT_EVENT;
  const revoked = (): GuardError['data'] => new GuardError('SESSION_REVOKED').data;

  const cutRoom = (room: string, exceptRoom?: string): void => {
    const payload = revoked();
    for (const target of targets) {
      let broadcast = target.in(room);
      if (exceptRoom !== undefined) broadcast = broadcast.except(exceptRoom);
      broadcast.emit(disconnectEvent, payload);
      broadcast.disconnectSockets(true);
      // @socket.io/redis-adapter sends even this node's disconnects through Redis, so
      // while Redis is down local sockets would hear the notice and stay open: cut them
      // here and now too (the published request finds them gone).
      let local = target.local?.in(room);
      if (local !== undefined && exceptRoom !== undefined) local = local.except(exceptRoom);
      local?.disconnectSockets(true);
    }
  };

  /**
   * The denylist first, so a cut client that reconnects at once is refused. When the
   * write fails (store down) the sockets are cut all the same and the caller gets the
   * error: a logout during an outage still ends what is open, and the handshake check,
   * which fails closed by default, keeps the user out until the store is back. Misuse
   * (a `TypeError`, thrown before anything is written) cuts nothing.
   */
  const writeThenCut = async (write: Promise<unknown>, cut: () => void): Promise<void> => {
    try {
      await write;
    } catch (error) {
      if (!(error instanceof TypeError)) cut();
      throw error;
    }
    cut();
  };

  return {
    async revokeUser(userId, revokeOptions = {}) {
      await writeThenCut(denylist.revokeUser(userId, revokeOptions), () => {
        const { exceptSession } = revokeOptions;
        cutRoom(
          userRoom(userId),
          exceptSession === undefined ? undefined : sessionRoom(exceptSession),
        );
      });
    },
    async revokeSession(sessionId) {
      await writeThenCut(denylist.revokeSession(sessionId), () => cutRoom(sessionRoom(sessionId)));
    },
    async revokeToken(jti, expiresAt) {
      await writeThenCut(denylist.revokeToken(jti, expiresAt), () => cutRoom(tokenRoom(jti)));
    },
    async revokeIssuedBefore(userId, time) {
      checkId(userId, 'userId', 'revokeIssuedBefore');
      // Every connected token was issued by now: a cutoff at or after now is all of them.
      const everyToken = typeof time === 'number' && time >= denylist.now();
      const broadcasts = targets.map((target) => target.in(userRoom(userId)));
      if (!everyToken && broadcasts.some((broadcast) => broadcast.fetchSockets === undefined)) {
        throw new TypeError(
          'revokeIssuedBefore: with a time in the past, sockets are picked by their user.issuedAt, which ' +
            'needs fetchSockets() (a Socket.io server). From the Redis emitter, use revokeUser.',
        );
      }
      if (everyToken) {
        await writeThenCut(denylist.revokeIssuedBefore(userId, time), () =>
          cutRoom(userRoom(userId)),
        );
        return;
      }
      await denylist.revokeIssuedBefore(userId, time);
      const payload = revoked();
      await Promise.all(
        broadcasts.map(async (broadcast) => {
          const sockets = await (
            broadcast.fetchSockets as () => Promise<readonly RevocableRemoteSocket[]>
          )();
          for (const socket of sockets) {
            const user = peekContext(socket)?.user;
            if (user === undefined) continue;
            const issuedAtMs = issuedAtMsOf(user);
            if (issuedAtMs !== undefined && issuedAtMs > time) continue;
            socket.emit(disconnectEvent, payload);
            socket.disconnect(true);
          }
        }),
      );
    },
  };
}

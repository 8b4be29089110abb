import {
  GuardError,
  PortcullisConfigError,
  checkOptions,
  disconnectWithCode,
  getContext,
  handshakeGuard,
  holdPackets,
  isGuardError,
  isPlainObject,
  isThenable,
  namespaceOf,
  onSocketRelease,
  opt,
  recordSocketEvent,
  releaseWhenDisconnected,
  type AnyNamespace,
  type AnyServer,
  type AnySocket,
  type GuardVerdict,
  type HandshakeMiddleware,
  type MaybePromise,
  type OptionSpec,
  type StoreErrorPolicy,
} from '@portcullis/core';
import { createDenylist, denylistSpec, type Denylist, type RevokeUserOptions } from './denylist';
import {
  createRevoker,
  revocationChannel,
  targetKind,
  type RevocationTarget,
  type Revoker,
} from './revoker';
import { dropFromRevocationIndex, revocationIndexOf, syncRevocationIndex } from './local-index';
import { catchUpOnRevocations, listenForRevocations } from './revocation-message';

export const LOGOUT_REVOKE_GUARD_NAME = 'logout-revoke';

export interface LogoutRevokeGuardOptions {
  /**
   * The denylist to check. Default: `createDenylist()`, in this process only. With
   * several nodes, give every node and every revoker `createDenylist({ store:
   * redisDenylistStore(redis) })`.
   */
  denylist?: Denylist;
  /**
   * When the denylist cannot be read (Redis down, or slower than the store's
   * `storeTimeoutMs`): `'deny'` (default) refuses the handshake with `INTERNAL`
   * (retryable), since a revoked token must not get in during an outage; `'allow'` lets
   * it through and records a `warning` security event.
   */
  onStoreError?: StoreErrorPolicy;
}

export type { StoreErrorPolicy } from '@portcullis/core';

/** Every option `logoutRevokeGuard` takes. */
export const logoutRevokeGuardOptionsSpec: OptionSpec = opt.object({
  denylist: denylistSpec,
  onStoreError: opt.oneOf<StoreErrorPolicy>(['deny', 'allow']),
});

/** Options of earlier versions, refused with their replacement rather than as unknown. */
function refuseRetired(options: unknown): void {
  if (!isPlainObject(options) || !Object.hasOwn(options, 'failOpen')) return;
  throw new PortcullisConfigError(
    'PORTCULLIS_CONFIG_UNKNOWN_OPTION',
    'failOpen',
    "unknown option (failOpen: true is now onStoreError: 'allow'; the default stays 'deny')",
    { factory: 'logoutRevokeGuard', suggestion: 'onStoreError' },
  );
}

export interface LogoutRevokeGuard extends Revoker {
  readonly denylist: Denylist;
  /** The `io.use` middleware: refuses revoked credentials. Install after authentication. */
  readonly handshake: HandshakeMiddleware;
  /**
   * An optional `io.use` middleware that starts the denylist read at once and passes on:
   * installed right after authentication, with other checks between it and `handshake`
   * (a per-user rate limit), the read travels alongside theirs instead of after them.
   * `handshake` then decides with that read, in its own place in the chain. It never
   * refuses; a store failure is decided by `handshake` as usual.
   */
  readonly readEarly: HandshakeMiddleware;
  /**
   * The connection hook: puts the socket in this node's revocation index; re-checks a
   * recovered socket, and a socket whose handshake check went to a remote store (a
   * revocation may have been written and sent between that read and the indexing),
   * holding its packets until the answer.
   */
  readonly onConnection: (socket: AnySocket) => void;
  /**
   * The `connection` hook and the revocation listener on a namespace, without the
   * handshake middleware (for a chain that installs that itself, like the preset).
   */
  watch(nsp: AnyNamespace): this;
  /**
   * Installs both on a server or namespace (`io.use` + `connection` listener) and sends
   * revocations there. Call it once per namespace your clients use, after your
   * authentication middleware.
   */
  install(target: AnyServer | AnyNamespace): this;
  /**
   * Sends revocations through these targets instead of the installed ones, e.g.
   * `everyNamespace(io)` when the handshake and connection hooks are installed by hand
   * on namespaces created over time.
   */
  revokeThrough(target: RevocationTarget | readonly RevocationTarget[]): this;
}

type Verdict = MaybePromise<GuardVerdict>;

/** A denylist read `readEarly` started, with the log's position before it. */
interface EarlyRead {
  readonly position: number;
  readonly verdict: Promise<GuardVerdict>;
}

/**
 * Logout that reaches every socket: refuses revoked sessions and tokens at the
 * handshake, indexes each socket on its node by user, session and token, and on a
 * revocation each node cuts the sockets its index names.
 *
 * @example
 * const logout = logoutRevokeGuard({ denylist: createDenylist({ store: redisDenylistStore(redis) }) });
 * io.use(authenticate);
 * logout.install(io);
 * await logout.revokeUser('42');
 */
export function logoutRevokeGuard(
  options: Readonly<LogoutRevokeGuardOptions> = {},
): LogoutRevokeGuard {
  refuseRetired(options);
  checkOptions(logoutRevokeGuardOptionsSpec, options, 'logoutRevokeGuard');
  const denylist = options.denylist ?? createDenylist();
  const allowOnStoreError = options.onStoreError === 'allow';

  /**
   * Each socket still in its handshake: a read `readEarly` started (until the handshake
   * middleware takes it), then how that middleware checked: the position of the node's
   * revocation log before an asynchronous read, `false` when the store answered
   * synchronously. Read and dropped at connection, so nothing stays per socket.
   */
  const checkedAtHandshake = new WeakMap<AnySocket, number | false | EarlyRead>();

  const storeFailed = (socket: AnySocket, error: unknown): GuardVerdict => {
    if (!allowOnStoreError) {
      return isGuardError(error) ? error : new GuardError('INTERNAL', { cause: error });
    }
    recordSocketEvent(socket, 'warning', {
      guard: LOGOUT_REVOKE_GUARD_NAME,
      detail: { reason: 'store_unavailable', policy: 'allow' },
    });
    return undefined;
  };

  /** The denylist's verdict for the socket's user; store failures follow `onStoreError`. */
  const verdictFor = (socket: AnySocket): Verdict => {
    const user = getContext(socket).user;
    if (user === undefined) return undefined; // anonymous: authentication decides
    let verdict: MaybePromise<GuardError | undefined>;
    try {
      verdict = denylist.check(user);
    } catch (error) {
      return storeFailed(socket, error);
    }
    if (isThenable(verdict)) return verdict.catch((error: unknown) => storeFailed(socket, error));
    return verdict;
  };

  const readEarly: HandshakeMiddleware = (socket, next) => {
    try {
      const position = revocationIndexOf(socket.nsp.server).recent.position;
      const verdict = verdictFor(socket);
      // Only a remote read is worth starting early; in memory the check is immediate.
      if (isThenable(verdict)) checkedAtHandshake.set(socket, { position, verdict });
    } catch {
      // `handshake` checks again, and decides.
    }
    next();
  };

  const handshake = handshakeGuard(LOGOUT_REVOKE_GUARD_NAME, (socket: AnySocket) => {
    const early = checkedAtHandshake.get(socket);
    if (typeof early === 'object') {
      checkedAtHandshake.set(socket, early.position);
      return early.verdict;
    }
    const logPosition = revocationIndexOf(socket.nsp.server).recent.position;
    const verdict = verdictFor(socket);
    if (isThenable(verdict)) checkedAtHandshake.set(socket, logPosition);
    // Checked at once: only a restored socket needs telling apart from one this
    // middleware never saw (`onConnection` checks those); others leave nothing here.
    else if (socket.recovered) checkedAtHandshake.set(socket, false);
    return verdict;
  });

  const cutIfRevoked = (socket: AnySocket, verdict: GuardVerdict): void => {
    if (verdict !== undefined) disconnectWithCode(socket, verdict, LOGOUT_REVOKE_GUARD_NAME);
  };

  const recheck = (socket: AnySocket): void => {
    const verdict = verdictFor(socket);
    if (!isThenable(verdict)) {
      cutIfRevoked(socket, verdict);
      return;
    }
    // No handler runs before the answer: the socket may belong to a revoked session.
    holdPackets(
      socket,
      verdict.then((result) => cutIfRevoked(socket, result)),
      { guard: LOGOUT_REVOKE_GUARD_NAME },
    );
  };

  const watchedNamespaces = new WeakSet<AnyNamespace>();
  const watchNamespace = (nsp: AnyNamespace): boolean => {
    if (watchedNamespaces.has(nsp)) return false;
    watchedNamespaces.add(nsp);
    onSocketRelease(nsp, dropFromRevocationIndex);
    listenForRevocations(nsp);
    return true;
  };

  const onConnection = (socket: AnySocket): void => {
    // Hooked up from inside this namespace's first `connection` (a hand-installed
    // hook): core's release listener would only come from the next socket on.
    if (watchNamespace(socket.nsp)) releaseWhenDisconnected(socket);
    // Indexed first: a revocation sent from now on finds the socket.
    syncRevocationIndex(socket);
    const checked = checkedAtHandshake.get(socket);
    if (checked !== undefined) checkedAtHandshake.delete(socket);
    // A remote denylist was read before the socket was indexed: a revocation written and
    // sent in between would be missed by both. The revoker writes before it tells the
    // nodes, so such a revocation is in this node's log since the read began (or still
    // on its way, and then finds the socket in the index): applied from the log, without
    // a second read. Only when the log has forgotten that far back is it read again. In
    // memory, check and indexing are one tick.
    if (typeof checked === 'number') {
      if (!catchUpOnRevocations(socket, checked)) recheck(socket);
      return;
    }
    // Read early, but never decided: the handshake middleware is not in the chain.
    if (typeof checked === 'object') {
      recheck(socket);
      return;
    }
    // Connection state recovery skips io.use by default: a socket revoked while it was
    // away would come back. Check it here unless the middleware just did.
    if (socket.recovered && checked === undefined) recheck(socket);
  };

  let revoker: Revoker | undefined;
  let explicitTarget = false;
  const targets: (AnyServer | AnyNamespace)[] = [];
  const installed = (): Revoker => {
    if (revoker === undefined) {
      throw new Error(
        'logoutRevokeGuard: call install(io) before revoking, or use createRevoker({ target, denylist }).',
      );
    }
    return revoker;
  };

  const guard: LogoutRevokeGuard = {
    denylist,
    handshake,
    readEarly,
    onConnection,
    install(target) {
      if (typeof target?.use !== 'function' || typeof target.on !== 'function') {
        throw new TypeError(
          'logoutRevokeGuard: install(io) needs a Socket.io server or namespace.',
        );
      }
      target.use(handshake);
      watchNamespace(namespaceOf(target));
      target.on('connection', onConnection);
      targets.push(target);
      if (explicitTarget) return guard;
      revoker = createRevoker({ target: [...targets], denylist });
      return guard;
    },
    watch(nsp) {
      watchNamespace(nsp);
      nsp.on('connection', onConnection);
      return guard;
    },
    revokeThrough(target) {
      // This node hears what other nodes send through the same targets: a namespace
      // through itself, a whole server (`io`, `everyNamespace(io)`) through its main one.
      for (const each of (Array.isArray(target) ? target : [target]) as RevocationTarget[]) {
        const channel = revocationChannel(targetKind(each));
        if (channel !== undefined) listenForRevocations(channel);
      }
      explicitTarget = true;
      revoker = createRevoker({ target, denylist });
      return guard;
    },
    revokeUser: async (userId: string, revokeOptions?: RevokeUserOptions) =>
      installed().revokeUser(userId, revokeOptions),
    revokeSession: async (sessionId: string) => installed().revokeSession(sessionId),
    revokeToken: async (jti: string, expiresAt: number) => installed().revokeToken(jti, expiresAt),
    revokeIssuedBefore: async (userId: string, time: number) =>
      installed().revokeIssuedBefore(userId, time),
  };
  return guard;
}

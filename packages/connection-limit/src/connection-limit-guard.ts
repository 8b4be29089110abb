import {
  DeadlineScheduler,
  GuardError,
  disconnectWithCode,
  getContext,
  handshakeGuard,
  ipSubnetKey,
  isThenable,
  namespaceOf,
  onSocketRelease,
  recordSocketEvent,
  socketSlot,
  whenPacketsReleased,
  type AnyNamespace,
  type AnyServer,
  type AnySocket,
  type GuardVerdict,
  type HandshakeMiddleware,
  type MaybePromise,
} from '@portcullis/core';
import { ConnectionCounts, type Lease, type PendingDeadline } from './counts';
import { ConnectionWatch } from './connection-watch';
import { onHandshakeEnd } from './handshake-end';
import { resolveOptions, type ConnectionLimitGuardOptions } from './options';
import { RedisLeases } from './redis-leases';
import { buildRefusals } from './refusals';

export const GUARD_NAME = 'connection-limit';

export interface ConnectionLimitStats {
  /** Connected sockets counted on this node. */
  readonly connections: number;
  /** Handshakes this guard let through that have not connected yet. */
  readonly pending: number;
  /** Users with at least one counted socket (size of the per-user map). */
  readonly users: number;
  /** IP keys with at least one counted socket (size of the per-IP map). */
  readonly ips: number;
  /** Entries this node holds in Redis. */
  readonly clusterEntries: number;
}

/** The `io.use` middleware, plus what operators need around it. */
export interface ConnectionLimitGuard extends HandshakeMiddleware {
  /**
   * `io.use(guard)` plus the `connection` listener that counts sockets restored by
   * connection state recovery (which skips `io.use`). Call it before your own
   * `connection` handlers. Plain `io.use(guard)` works too; it adds the listener on the
   * first handshake.
   */
  install(target: AnyServer | AnyNamespace): ConnectionLimitGuard;
  /**
   * With a cluster-wide cap (`redis`): an `io.use` middleware that starts the Redis
   * lease at once and passes on. Installed right after authentication, with other
   * checks between it and the guard (a per-user rate limit, a revocation check), the
   * lease travels alongside their round trips instead of after them; the guard then
   * decides with it in its own place, so their refusals still come first. It never
   * refuses. A handshake a later check refuses gives its place back (one more Redis
   * call), and nobody is disconnected to make room before the newcomer has connected.
   * `undefined` without `redis`: a local count is immediate and gains nothing.
   */
  readonly acquireEarly: HandshakeMiddleware | undefined;
  /** This node's counts, for metrics and tests. */
  stats(): ConnectionLimitStats;
  /** Stops the Redis heartbeat and gives back this node's entries (graceful shutdown). */
  close(): Promise<void>;
}

/**
 * Caps connections on this node (total, per IP, per authenticated user), optionally per
 * user across the cluster through Redis, and degrades gracefully near capacity by
 * refusing anonymous connections and crowded IPs first. Install it after
 * authentication, so `user.id` is in the context.
 *
 * @example
 * const limit = connectionLimitGuard({ maxPerUser: 5, maxPerIp: 50 });
 * io.use(authenticate);
 * limit.install(io);
 *
 * @example Cluster-wide per-user cap
 * const limit = connectionLimitGuard({ redis: new Redis(), clusterMaxPerUser: 10 });
 */
export function connectionLimitGuard(
  options: Readonly<ConnectionLimitGuardOptions> = {},
): ConnectionLimitGuard {
  const resolved = resolveOptions(options);
  const refusals = buildRefusals(resolved);
  const counts = new ConnectionCounts();
  const cluster = resolved.cluster;
  const redis = cluster === undefined ? undefined : new RedisLeases(cluster);
  // In core's socket record while it has room (see `socketSlot`): no table of our own.
  const leases = socketSlot<Lease>();
  const watchedNamespaces = new WeakSet<AnyNamespace>();
  /** Namespaces whose refused handshakes `onHandshakeEnd` reports. */
  const endsSeen = new WeakSet<AnyNamespace>();
  /**
   * The last resort for a handshake that neither connects nor fails visibly: one timer
   * for every pending place, not one per handshake. The usual ends (the connection
   * closes, a later middleware refuses, the socket connects) are seen by `watch` and
   * `activate` long before. Real time, not core's clock: it bounds how long a stuck
   * handshake holds a place, as Socket.io's own `connectTimeout` does.
   */
  const pendingDeadlines = new DeadlineScheduler<PendingDeadline>({
    now: Date.now,
    resolutionMs: Math.min(1000, Math.max(10, Math.floor(resolved.pendingTimeoutMs / 10))),
    onDue: ({ lease }) => {
      lease.pendingDeadline = undefined;
      if (lease.state === 'pending') release(lease);
    },
  });

  /** Takes the lease's pending deadline off the heap and drops it. */
  function settleDeadline(lease: Lease): void {
    const entry = lease.pendingDeadline;
    if (entry === undefined) return;
    lease.pendingDeadline = undefined;
    pendingDeadlines.cancel(entry);
  }

  function release(lease: Lease): void {
    if (lease.state === 'released') return;
    counts.remove(lease);
    lease.state = 'released';
    settleDeadline(lease);
    watch.delete(lease.socket, lease);
    leases.delete(lease.socket);
    // A newcomer that never connected evicts nobody: the older socket it had set aside
    // counts again, and gets back the Redis place the newcomer had taken over.
    const replaced = lease.replaces;
    lease.replaces = undefined;
    if (replaced !== undefined) replaced.replacing = false;
    if (lease.member !== undefined) redis?.release(lease.member, connectedMember(replaced));
  }
  const watch = new ConnectionWatch(release);

  function activate(lease: Lease): void {
    if (lease.state !== 'pending') return;
    counts.activate(lease);
    watch.settle(lease.socket, true);
    settleDeadline(lease);
    // Its `disconnect` releases it: core's one release listener runs `releaseSocket`.
  }

  function releaseSocket(socket: AnySocket): void {
    const lease = leases.get(socket);
    if (lease !== undefined) release(lease);
  }

  /**
   * The newcomer is connected (every later middleware accepted it): only now does the
   * older socket it set aside make room. Doing it at the handshake would let a refused
   * newcomer, e.g. a stolen token the revocation check turns away, cut the real user.
   */
  function takeOver(lease: Lease): void {
    if (lease.replaces === undefined) return;
    // A recovered socket still being re-checked by another guard (its packets held) must
    // not evict anyone before it has passed: a revoked session could cut the real user.
    whenPacketsReleased(lease.socket, () => {
      const replaced = lease.replaces;
      if (replaced === undefined || lease.state === 'released') return;
      lease.replaces = undefined;
      makeRoom(replaced);
    });
  }

  /**
   * The local caps, in order; may choose this user's oldest connected socket to make
   * room. The chosen one is set aside (`replacing`), so it is picked at most once and each
   * newcomer in flight needs a socket of its own to replace: a user holds at most
   * `maxPerUser` connected sockets plus as many newcomers in flight.
   */
  function admit(userId: string | undefined, ipKey: string): GuardError | Lease | undefined {
    if (counts.total >= resolved.maxConnections) return refusals.total;
    const ipCount = counts.ipCount(ipKey);
    if (
      counts.total >= resolved.softLimit &&
      (userId === undefined || ipCount >= resolved.softMaxPerIp)
    ) {
      return refusals.soft;
    }
    if (ipCount >= resolved.maxPerIp) return refusals.ip;
    if (userId === undefined || resolved.maxPerUser === Infinity) return undefined;
    if (counts.userCount(userId) < resolved.maxPerUser) return undefined;
    if (resolved.perUserPolicy === 'refuse-new') return refusals.user;
    return counts.oldestActive(userId) ?? refusals.user;
  }

  /** Counts the socket, or says why not. Synchronous unless Redis has a say. */
  function acquire(socket: AnySocket): MaybePromise<GuardVerdict> {
    const existing = leases.get(socket);
    if (existing !== undefined && existing.state !== 'released') return undefined;
    // The client left while earlier middlewares ran: Socket.io drops the socket itself.
    if (socket.conn.readyState !== 'open') return undefined;
    const context = getContext(socket);
    const userId = context.user?.id;
    const ipKey = ipSubnetKey(context.ip, resolved.ipv6Subnet);
    const verdict = admit(userId, ipKey);
    if (verdict instanceof GuardError) return verdict;
    const lease: Lease = {
      socket,
      userId,
      ipKey,
      state: 'pending',
      replacing: false,
      replaces: verdict,
      member: undefined,
      pendingDeadline: undefined,
    };
    if (verdict !== undefined) verdict.replacing = true;
    counts.add(lease);
    leases.set(socket, lease);
    watch.add(socket, lease, !endsSeen.has(socket.nsp));
    // Restored by connection state recovery: connected already, no later middleware.
    const restored = socket.connected;
    if (restored) activate(lease);
    else {
      const entry: PendingDeadline = { lease, deadline: 0, heapIndex: -1 };
      lease.pendingDeadline = entry;
      pendingDeadlines.schedule(entry, Date.now() + resolved.pendingTimeoutMs);
    }
    if (redis === undefined || userId === undefined) {
      // A handshake takes over at `connection`; a restored socket has connected.
      if (restored) takeOver(lease);
      return undefined;
    }
    return acquireInCluster(lease, userId);
  }

  function makeRoom(replaced: Lease | undefined): void {
    if (replaced === undefined || replaced.state === 'released') return;
    // This namespace only: the newer socket may share the engine.io connection (another
    // namespace of the same client), and closing it would take that one down too.
    disconnectWithCode(replaced.socket, refusals.replaced, GUARD_NAME, { closeConnection: false });
    // Its `disconnect` releases it; if the socket was already gone, release it here.
    release(replaced);
  }

  /**
   * The cluster-wide count. With a socket set aside, the newcomer takes over its Redis
   * place at once (one atomic step, so the user never exceeds `clusterMaxPerUser` in
   * Redis); `release` hands the place back if the newcomer never connects.
   */
  async function acquireInCluster(lease: Lease, userId: string): Promise<GuardVerdict> {
    const leasesOfCluster = redis as RedisLeases;
    // Kept here: `release` clears `lease.replaces` if the client leaves during the wait.
    const replaced = lease.replaces;
    const member = leasesOfCluster.memberFor(lease.socket.id);
    let taken: boolean;
    try {
      taken = await leasesOfCluster.acquire(userId, member, replaced?.member);
    } catch (error) {
      if (cluster?.onStoreError === 'allow') {
        recordSocketEvent(lease.socket, 'warning', {
          guard: GUARD_NAME,
          detail: { reason: 'store_unavailable', policy: 'allow' },
        });
        if (lease.state === 'active') takeOver(lease);
        return undefined;
      }
      release(lease);
      return new GuardError('INTERNAL', { cause: error });
    }
    if (!taken) {
      release(lease);
      return refusals['cluster-user'];
    }
    if (lease.state === 'released') {
      // The client left while Redis answered: give the place straight back, to the
      // older socket if it had taken it over.
      leasesOfCluster.release(member, connectedMember(replaced));
      return undefined;
    }
    lease.member = member;
    // A handshake takes over at `connection`; a restored socket has connected.
    if (lease.state === 'active') takeOver(lease);
    return undefined;
  }

  /** The Redis member of a socket still connected, to hand a place back to. */
  function connectedMember(lease: Lease | undefined): string | undefined {
    return lease === undefined || lease.state === 'released' ? undefined : lease.member;
  }

  /**
   * Counts a socket that reached `connection` without this guard's handshake: restored
   * by connection state recovery, or whose pending place timed out. Over a cap, it is
   * told why and disconnected.
   */
  function onConnection(socket: AnySocket): void {
    const lease = leases.get(socket);
    if (lease !== undefined && lease.state === 'pending') {
      activate(lease);
      takeOver(lease);
      return;
    }
    if (lease !== undefined && lease.state === 'active') return;
    const refuse = (verdict: GuardVerdict): void => {
      if (verdict !== undefined) disconnectWithCode(socket, verdict, GUARD_NAME);
    };
    let verdict: MaybePromise<GuardVerdict>;
    try {
      verdict = acquire(socket);
    } catch (error) {
      refuse(new GuardError('INTERNAL', { cause: error }));
      return;
    }
    if (verdict instanceof Promise) {
      verdict.then(refuse, (error: unknown) =>
        refuse(new GuardError('INTERNAL', { cause: error })),
      );
    } else {
      refuse(verdict);
    }
  }

  /**
   * Sockets whose handshake just ended, looked at once Socket.io is done with them: a
   * lease still pending then belongs to a socket that did not connect (a later
   * middleware refused it, or its connection closed meanwhile).
   */
  const ended: AnySocket[] = [];
  const settleEnded = (): void => {
    for (const socket of ended) {
      const lease = leases.get(socket);
      if (lease !== undefined && lease.state === 'pending' && !socket.connected) release(lease);
    }
    ended.length = 0;
  };
  const onEnd = (socket: AnySocket): void => {
    if (leases.get(socket) === undefined) return;
    if (ended.push(socket) === 1) queueMicrotask(settleEnded);
  };

  function watchNamespace(nsp: AnyNamespace): void {
    if (watchedNamespaces.has(nsp)) return;
    watchedNamespaces.add(nsp);
    if (onHandshakeEnd(nsp, onEnd)) endsSeen.add(nsp);
    onSocketRelease(nsp, releaseSocket);
    nsp.on('connection', onConnection);
  }

  /** Leases `acquireEarly` started, until the guard's own step decides with them. */
  const startedEarly = new WeakMap<AnySocket, Promise<GuardVerdict>>();
  const ignoreFailure = (): void => {
    // Decided by the guard's own step, which reports it as INTERNAL.
  };

  const acquireEarly: HandshakeMiddleware = (socket, next) => {
    try {
      // A socket restored by connection state recovery is counted at `connection`, where
      // a refusal can still disconnect it: only handshakes start early.
      if (!socket.connected && getContext(socket).user?.id !== undefined) {
        watchNamespace(socket.nsp);
        const verdict = acquire(socket);
        // A local refusal takes no place: the guard's step finds it again, in its turn.
        if (isThenable(verdict)) {
          verdict.catch(ignoreFailure);
          startedEarly.set(socket, verdict);
        }
      }
    } catch {
      // The guard's own step acquires again, and decides.
    }
    next();
  };

  const middleware = handshakeGuard(GUARD_NAME, (socket: AnySocket) => {
    watchNamespace(socket.nsp);
    const early = startedEarly.get(socket);
    if (early === undefined) return acquire(socket);
    startedEarly.delete(socket);
    return early;
  });

  const guard = Object.assign(middleware, {
    acquireEarly: redis === undefined ? undefined : acquireEarly,
  }) as ConnectionLimitGuard;
  guard.install = (target) => {
    watchNamespace(namespaceOf(target));
    target.use(middleware);
    return guard;
  };
  guard.stats = () => ({
    connections: counts.total - counts.pending,
    pending: counts.pending,
    users: counts.users,
    ips: counts.ips,
    clusterEntries: redis?.size ?? 0,
  });
  guard.close = async () => {
    await redis?.close();
  };
  return guard;
}

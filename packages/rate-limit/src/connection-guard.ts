import {
  type GuardError,
  checkOptions,
  getContext,
  handshakeGuard,
  ipSubnetKey,
  recordSocketEvent,
  type AnySocket,
  type GuardVerdict,
  type HandshakeMiddleware,
  type MaybePromise,
} from '@portcullis/core';
import { GuardClock } from './clock';
import {
  DEFAULT_IPV6_SUBNET,
  DEFAULT_PER_IP_CONNECTIONS,
  DEFAULT_PER_USER_CONNECTIONS,
  connectionRateLimitGuardOptionsSpec,
  type ConnectionRateLimitGuardOptions,
} from './connection-options';
import { KeyedScope } from './keyed-scope';
import { limitList, type LimitSpec } from './limit-spec';
import { refusalError } from './refusal-error';
import { StoreErrorHandler } from './store-errors';
import { resolveStoreOptions } from './store-options';
import { StoreFailure, type StoreAnswer } from './store-window';

const GUARD = 'rate-limit';

/** The `io.use` middleware, plus what an operator may want to look at. */
export interface ConnectionRateLimitGuard extends HandshakeMiddleware {
  /** Keys (IP subnets, user ids) held in this process's memory. */
  trackedKeys(): number;
  /** Forgets every count held in this process's memory. */
  reset(): void;
}

/**
 * Limits connection attempts per IP and per authenticated user; refuses with
 * `RATE_LIMITED` and `retryAfterMs` in `connect_error`. Keys come from the context only
 * (the resolved IP, the verified `user.id`), never from what the handshake claims.
 * Time is core's clock (`configurePortcullis(io, { now })`).
 *
 * @example
 * io.use(connectionRateLimitGuard({ perIp: { points: 20, durationMs: 10_000 } }));
 */
export function connectionRateLimitGuard(
  options: Readonly<ConnectionRateLimitGuardOptions> = {},
): ConnectionRateLimitGuard {
  checkOptions(connectionRateLimitGuardOptionsSpec, options, 'connectionRateLimitGuard');
  const store = resolveStoreOptions(options);
  const clock = new GuardClock();
  const errors = new StoreErrorHandler(GUARD, store.onStoreError);
  const subnet = options.ipv6Subnet ?? DEFAULT_IPV6_SUBNET;
  const ipScope = KeyedScope.build(
    'connect:ip',
    limitList<LimitSpec>(options.perIp, DEFAULT_PER_IP_CONNECTIONS),
    store,
    clock,
  );
  const userScope = KeyedScope.build(
    'connect:user',
    limitList<LimitSpec>(options.perUser, DEFAULT_PER_USER_CONNECTIONS),
    store,
    clock,
  );

  const refuse = (socket: AnySocket, wait: number, limit: string): GuardError | undefined => {
    const retryAfterMs = Number.isFinite(wait) ? wait : undefined;
    if (store.dryRun) {
      recordSocketEvent(socket, 'would_refuse', {
        code: 'RATE_LIMITED',
        guard: GUARD,
        detail: retryAfterMs === undefined ? { limit } : { limit, retryAfterMs },
      });
      return undefined;
    }
    return refusalError('RATE_LIMITED', { retryAfterMs, info: { limit } });
  };

  const answer = (
    socket: AnySocket,
    result: StoreAnswer,
    limit: string,
  ): GuardError | undefined => {
    if (!(result instanceof StoreFailure))
      return result === 0 ? undefined : refuse(socket, result, limit);
    const verdict = errors.verdict(socket, result);
    if (verdict === undefined || !store.dryRun) return verdict;
    recordSocketEvent(socket, 'would_refuse', { code: verdict.code, guard: GUARD });
    return undefined;
  };

  const checkUser = (socket: AnySocket, now: number): MaybePromise<GuardVerdict> => {
    const user = getContext(socket).user;
    if (user === undefined || userScope.isEmpty) return undefined;
    const result = userScope.consume(user.id, 1, now);
    if (typeof result === 'number') return answer(socket, result, 'user');
    return result.then((settled) => answer(socket, settled, 'user'));
  };

  const check = (socket: AnySocket): MaybePromise<GuardVerdict> => {
    const now = clock.follow(socket)();
    if (ipScope.isEmpty) return checkUser(socket, now);
    const key = ipSubnetKey(getContext(socket).ip, subnet);
    const result = ipScope.consume(key, 1, now);
    if (typeof result === 'number') {
      return answer(socket, result, 'ip') ?? checkUser(socket, now);
    }
    // The user is counted only once the IP passed: a refused attempt costs one window.
    return result.then((settled) => answer(socket, settled, 'ip') ?? checkUser(socket, now));
  };

  return Object.assign(handshakeGuard(GUARD, check), {
    trackedKeys: () => ipScope.trackedKeys + userScope.trackedKeys,
    reset: () => {
      ipScope.clear();
      userScope.clear();
    },
  });
}

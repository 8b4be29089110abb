import {
  type GuardError,
  getContext,
  handshakeGuard,
  ipSubnetKey,
  recordSocketEvent,
  type AnySocket,
  type GuardVerdict,
  type HandshakeMiddleware,
  type MaybePromise,
} from '@portcullis/core';
import { KeyedScope } from './keyed-scope';
import { limitEntries, type LimitSpec, type Limits, type RateLimit } from './limit-spec';
import { refusalError } from './refusal-error';
import { StoreErrorHandler } from './store-errors';
import { resolveStoreOptions, type RateLimitStoreOptions } from './store-options';
import { StoreFailure, type StoreAnswer } from './store-window';

const GUARD = 'rate-limit';

export interface ConnectionRateLimitGuardOptions extends RateLimitStoreOptions {
  /**
   * Connection attempts per client IP (IPv6 per `ipv6Subnet`). Default: 40 per 10 s,
   * then blocked for 60 s. Raise it when many users share one address (NAT, offices).
   */
  perIp?: Limits;
  /**
   * Connection attempts per authenticated user, when an earlier guard (auth) has set
   * `user` in the context; skipped for anonymous sockets. Default: 10 per 10 s, then
   * blocked for 60 s.
   */
  perUser?: Limits;
  /** IPv6 addresses are keyed by this prefix length, so one host cannot rotate. Default 64. */
  ipv6Subnet?: number;
}

/** The `io.use` middleware, plus what an operator may want to look at. */
export interface ConnectionRateLimitGuard extends HandshakeMiddleware {
  /** Keys (IP subnets, user ids) held in this process's memory. */
  trackedKeys(): number;
  /** Forgets every count held in this process's memory. */
  reset(): void;
}

export const DEFAULT_PER_IP_CONNECTIONS: RateLimit = {
  points: 40,
  durationMs: 10_000,
  blockDurationMs: 60_000,
};
export const DEFAULT_PER_USER_CONNECTIONS: RateLimit = {
  points: 10,
  durationMs: 10_000,
  blockDurationMs: 60_000,
};

function checkSubnet(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 128) {
    throw new TypeError(
      `connectionRateLimitGuard: ipv6Subnet must be a prefix length from 1 to 128 (default 64); got ${String(value)}.`,
    );
  }
  return value;
}

/**
 * Limits connection attempts per IP and per authenticated user; refuses with
 * `RATE_LIMITED` and `retryAfterMs` in `connect_error`. Keys come from the context only
 * (the resolved IP, the verified `user.id`), never from what the handshake claims.
 *
 * @example
 * io.use(connectionRateLimitGuard({ perIp: { points: 20, durationMs: 10_000 } }));
 */
export function connectionRateLimitGuard(
  options: Readonly<ConnectionRateLimitGuardOptions> = {},
): ConnectionRateLimitGuard {
  const store = resolveStoreOptions(options, 'connectionRateLimitGuard');
  const clock = store.now;
  const errors = new StoreErrorHandler(GUARD, store.onStoreError, clock);
  const subnet = checkSubnet(options.ipv6Subnet ?? 64);
  const ipScope = KeyedScope.build(
    'connect:ip',
    limitEntries<LimitSpec>(options.perIp, DEFAULT_PER_IP_CONNECTIONS, 'perIp'),
    store,
  );
  const userScope = KeyedScope.build(
    'connect:user',
    limitEntries<LimitSpec>(options.perUser, DEFAULT_PER_USER_CONNECTIONS, 'perUser'),
    store,
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
    const now = clock();
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

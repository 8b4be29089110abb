/** The options of `connectionRateLimitGuard`: their types, defaults and spec. */
import { opt, type ObjectRule, type OptionSpec } from '@portcullis/core';
import type { Limits, RateLimit } from './limit-spec';
import { limitsSpec } from './limits-spec';
import {
  storeOptionFields,
  wholeSecondsProblem,
  type RateLimitStoreOptions,
} from './store-options';

/** The options of the connection limits themselves (what `rateLimitGuard`'s `connections` takes). */
export interface ConnectionLimitOptions {
  /**
   * Connection attempts per client IP (IPv6 per `ipv6Subnet`). Default: 40 per 10 s,
   * then blocked for 60 s. Raise it when many users share one address (NAT, offices).
   * `false` turns it off.
   */
  perIp?: Limits;
  /**
   * Connection attempts per authenticated user, when an earlier guard (auth) has set
   * `user` in the context; skipped for anonymous sockets. Default: 10 per 10 s, then
   * blocked for 60 s. `false` turns it off.
   */
  perUser?: Limits;
  /** IPv6 addresses are keyed by this prefix length, so one host cannot rotate. Default 64. */
  ipv6Subnet?: number;
}

export interface ConnectionRateLimitGuardOptions
  extends RateLimitStoreOptions, ConnectionLimitOptions {}

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
export const DEFAULT_IPV6_SUBNET = 64;

export const connectionLimitFields: Readonly<Record<string, OptionSpec>> = {
  perIp: limitsSpec({ limiters: true }),
  perUser: limitsSpec({ limiters: true }),
  ipv6Subnet: opt.integer({ min: 1, max: 128 }),
};

type Raw = Readonly<Record<string, unknown>>;

/** With `redis`, the connection windows are counted there: whole seconds. `prefix`: their path. */
export function connectionWholeSeconds(
  connections: (value: Raw) => unknown,
  prefix: string,
): ObjectRule {
  return (value) => {
    if (value.redis === undefined) return undefined;
    const own = connections(value);
    if (typeof own !== 'object' || own === null) return undefined;
    const { perIp, perUser } = own as Raw;
    return wholeSecondsProblem([
      [`${prefix}perIp`, perIp],
      [`${prefix}perUser`, perUser],
    ]);
  };
}

/** Every option `connectionRateLimitGuard` takes. */
export const connectionRateLimitGuardOptionsSpec: OptionSpec = opt.object(
  { ...storeOptionFields, ...connectionLimitFields },
  [connectionWholeSeconds((value) => value, '')],
);

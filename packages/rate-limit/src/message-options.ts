/** The options of `messageRateLimitGuard`: their types, defaults and spec. */
import { childPath, isPlainObject, opt, type ObjectRule, type OptionSpec } from '@portcullis/core';
import { isLimiter, limitList, type Limits, type RateLimit } from './limit-spec';
import { limitsSpec } from './limits-spec';
import {
  removedForEscalation,
  storeOptionFields,
  wholeSecondsProblem,
  type RateLimitStoreOptions,
} from './store-options';

/** The options of the message limits themselves (what `rateLimitGuard`'s `messages` takes). */
export interface MessageLimitOptions {
  /**
   * Per socket, always in this process's memory (a socket lives on one node).
   * Default: 30 per second and 600 per minute. `false` turns it off.
   */
  perSocket?: Limits<RateLimit>;
  /**
   * Per authenticated user (`user.id` from the context), across all of that user's
   * sockets; across nodes with `redis`. Default: 60 per second and 1,200 per minute.
   * `false` turns it off.
   */
  perUser?: Limits;
  /**
   * Per event name: counts packets of that event (1 each) per user when authenticated,
   * per socket otherwise. Default: none.
   */
  perEvent?: Readonly<Record<string, Limits<RateLimit>>>;
  /**
   * All packets of this process. Described windows stay in memory even with `redis`
   * (they protect this node); pass a limiter you built for a cluster-wide ceiling.
   * Default: off (`false`).
   */
  global?: Limits;
  /** Points each event costs against the per-socket, per-user and global limits. */
  costs?: Readonly<Record<string, number>>;
  /** Cost of an event missing from `costs`. Default 1; `0` makes unlisted events free. */
  defaultCost?: number;
  /**
   * Extra points per whole KiB of a packet, against the per-socket, per-user and global
   * limits: a packet costs `(costs[event] ?? defaultCost) + costPerKiB * floor(bytes / 1024)`,
   * capped at the fewest points of those windows. The size is the one
   * `@portcullis/size-limit` measured on the raw frames, so size-limit must be installed
   * on the same server (anywhere in the chain); without it each packet costs its base
   * cost and a process warning says so once. Default: off (`false`).
   */
  costPerKiB?: number | false;
}

export interface MessageRateLimitGuardOptions extends RateLimitStoreOptions, MessageLimitOptions {}

export const DEFAULT_PER_SOCKET: readonly RateLimit[] = [
  { points: 30, durationMs: 1000 },
  { points: 600, durationMs: 60_000 },
];
export const DEFAULT_PER_USER: readonly RateLimit[] = [
  { points: 60, durationMs: 1000 },
  { points: 1200, durationMs: 60_000 },
];
export const DEFAULT_COST = 1;

type Raw = Readonly<Record<string, unknown>>;

/** The points of the described windows of a scope, defaults included (limiters keep theirs). */
function describedPoints(limits: unknown, fallback: Limits): number[] {
  return limitList(limits as Limits | undefined, fallback)
    .filter((limit) => !isLimiter(limit))
    .map((limit) => (limit as RateLimit).points);
}

/** A cost above a window's points could never pass: say so at set-up. */
export const costsFitRule: ObjectRule = (value: Raw) => {
  const entries: [string, number][] = [
    ['defaultCost', (value.defaultCost as number) ?? DEFAULT_COST],
  ];
  if (isPlainObject(value.costs)) {
    for (const [event, cost] of Object.entries(value.costs)) {
      if (typeof cost === 'number') entries.push([childPath('costs', event), cost]);
    }
  }
  const scopes: [string, number[]][] = [
    ['perSocket', describedPoints(value.perSocket, DEFAULT_PER_SOCKET)],
    ['perUser', describedPoints(value.perUser, DEFAULT_PER_USER)],
    ['global', describedPoints(value.global, false)],
  ];
  for (const [option, cost] of entries) {
    for (const [scope, points] of scopes) {
      const fewest = Math.min(...points);
      if (cost > fewest) {
        return (
          `${option} is ${cost}, above the ${fewest} points ${scope} allows per window: ` +
          'that event could never pass. Lower the cost or raise the points.'
        );
      }
    }
  }
  return undefined;
};

/** With `redis`, per-user and per-event windows are counted there: whole seconds. */
export function messageWholeSeconds(messages: (value: Raw) => unknown, prefix: string): ObjectRule {
  return (value) => {
    if (value.redis === undefined) return undefined;
    const own = messages(value);
    if (!isPlainObject(own)) return undefined;
    const scopes: [string, unknown][] = [[`${prefix}perUser`, own.perUser]];
    if (isPlainObject(own.perEvent)) {
      for (const [event, limits] of Object.entries(own.perEvent)) {
        scopes.push([childPath(`${prefix}perEvent`, event), limits]);
      }
    }
    return wholeSecondsProblem(scopes);
  };
}

export const messageLimitFields: Readonly<Record<string, OptionSpec>> = {
  perSocket: limitsSpec({ limiters: false }),
  perUser: limitsSpec({ limiters: true }),
  perEvent: opt.record(limitsSpec({ limiters: false }), 'event names'),
  global: limitsSpec({ limiters: true }),
  costs: opt.record(opt.integer({ min: 0 }), 'event names'),
  defaultCost: opt.integer({ min: 0 }),
  costPerKiB: opt.oldSpelling(
    opt.off(opt.integer({ min: 1 })),
    0,
    '0 no longer turns it off: write false, or leave costPerKiB out.',
  ),
  disconnectAfter: removedForEscalation,
};

/** Every option `messageRateLimitGuard` takes. */
export const messageRateLimitGuardOptionsSpec: OptionSpec = opt.object(
  { ...storeOptionFields, ...messageLimitFields },
  [costsFitRule, messageWholeSeconds((value) => value, '')],
);

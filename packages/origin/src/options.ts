import {
  TrustedProxies,
  securityEvents,
  type GuardErrorCode,
  type SecurityEventBus,
  type SecurityEventDetail,
  type TrustedProxy,
} from '@portcullis/core';
import {
  createOriginMatcher,
  type OriginMatcher,
  type OriginMatcherOptions,
  type OriginVerdict,
} from './matcher';
import { RefusalLog, type LogDecision } from './refusal-log';

export const DEFAULT_LOG_INTERVAL_MS = 60_000;
export const DEFAULT_MAX_TRACKED_ORIGINS = 1000;

/** Options of `originGuard` (the `io.use` hook). */
export interface OriginGuardOptions extends OriginMatcherOptions {
  /**
   * A refused origin becomes a security event at most once per this many ms (with the
   * count of refusals suppressed meanwhile). `0` records every refusal. Default 60 s.
   */
  logIntervalMs?: number;
  /**
   * How many refused origins the log throttle remembers. Past that, new origins inside
   * the interval are summed into one `suspicious` event. Default 1000.
   */
  maxTrackedOrigins?: number;
  /** Clock in epoch milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * Options of the engine-level hooks (`originEngineMiddleware`, `originAllowRequest`).
 * They run before Socket.io has a socket, so they cannot read `configurePortcullis`:
 * give them the same bus and trusted proxies here.
 */
export interface OriginEngineOptions extends OriginGuardOptions {
  /** Where refusals are recorded. Default: core's process-wide `securityEvents`. */
  bus?: SecurityEventBus;
  /** Proxies whose `X-Forwarded-For` is believed, as in `configurePortcullis`. Default none. */
  trustedProxies?: readonly TrustedProxy[];
}

export interface ResolvedGuardOptions {
  readonly matcher: OriginMatcher;
  readonly log: RefusalLog;
  readonly now: () => number;
  readonly maxTrackedOrigins: number;
}

export interface ResolvedEngineOptions extends ResolvedGuardOptions {
  readonly bus: SecurityEventBus;
  readonly trustedProxies: TrustedProxies;
}

function checkNumber(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`originGuard: ${name} must be a number >= ${min} (got ${String(value)}).`);
  }
  return value;
}

export function resolveGuardOptions(options: Readonly<OriginGuardOptions>): ResolvedGuardOptions {
  const matcher = createOriginMatcher(options);
  const logIntervalMs = checkNumber(
    options.logIntervalMs,
    'logIntervalMs',
    DEFAULT_LOG_INTERVAL_MS,
    0,
  );
  const maxTrackedOrigins = Math.floor(
    checkNumber(options.maxTrackedOrigins, 'maxTrackedOrigins', DEFAULT_MAX_TRACKED_ORIGINS, 1),
  );
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('originGuard: now must be a function.');
  return {
    matcher,
    log: new RefusalLog(logIntervalMs, maxTrackedOrigins, now),
    now,
    maxTrackedOrigins,
  };
}

export function resolveEngineOptions(
  options: Readonly<OriginEngineOptions>,
): ResolvedEngineOptions {
  const bus = options.bus ?? securityEvents;
  // Duck-typed: the ESM and CommonJS builds of core each have their own class.
  if (typeof bus?.emit !== 'function' || typeof bus.listenerCount !== 'number') {
    throw new TypeError('originGuard: bus must be a SecurityEventBus from @portcullis/core.');
  }
  return {
    ...resolveGuardOptions(options),
    bus,
    trustedProxies: new TrustedProxies(options.trustedProxies ?? []),
  };
}

/** A function entry failing is "could not check" (`INTERNAL`); the rest is a policy "no". */
export function codeOf(verdict: OriginVerdict): GuardErrorCode {
  return verdict === 'check_failed' ? 'INTERNAL' : 'ORIGIN_REJECTED';
}

/** The throttle key: one slot per reason and header value. */
export function logKey(verdict: OriginVerdict, origin: unknown): string {
  return `${verdict} ${typeof origin === 'string' ? origin : ''}`;
}

/** What a logged refusal's event carries beside the code, the IP and the origin. */
export function refusalDetail(
  verdict: OriginVerdict,
  decision: Exclude<LogDecision, { kind: 'skip' }>,
  maxTrackedOrigins: number,
  extra: Readonly<Record<string, string>> = {},
): SecurityEventDetail {
  if (decision.kind === 'overflow') {
    return {
      reason: 'too_many_origins',
      dropped: decision.dropped,
      trackedOrigins: maxTrackedOrigins,
      ...extra,
    };
  }
  return decision.suppressed > 0
    ? { reason: verdict, suppressed: decision.suppressed, ...extra }
    : { reason: verdict, ...extra };
}

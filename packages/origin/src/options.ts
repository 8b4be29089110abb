import {
  TrustedProxies,
  checkOptions,
  securityEvents,
  type GuardErrorCode,
  type SecurityEventBus,
  type SecurityEventDetail,
  type TrustedProxy,
} from '@portcullis/core';
import {
  compileMatcher,
  type OriginMatcher,
  type OriginMatcherOptions,
  type OriginVerdict,
} from './matcher';
import { originEngineOptionsSpec, originGuardOptionsSpec } from './option-specs';
import { RefusalLog, type LogDecision } from './refusal-log';

export const DEFAULT_LOG_INTERVAL_MS = 60_000;
export const DEFAULT_MAX_TRACKED_ORIGINS = 1000;

/** Options of `originGuard` (the `io.use` hook). Its clock is core's. */
export interface OriginGuardOptions extends OriginMatcherOptions {
  /**
   * A refused origin becomes a security event at most once per this many ms (with the
   * count of refusals suppressed meanwhile). `false` records every refusal. Default 60 s.
   */
  logIntervalMs?: number | false;
  /**
   * How many refused origins the log throttle remembers. Past that, new origins inside
   * the interval are summed into one `suspicious` event. Default 1000.
   */
  maxTrackedOrigins?: number;
}

/**
 * Options of the engine-level hooks (`originEngineMiddleware`, `originAllowRequest`).
 * They run before Socket.io has a socket, so they cannot read `configurePortcullis`:
 * give them the same bus, trusted proxies and clock here.
 */
export interface OriginEngineOptions extends OriginGuardOptions {
  /** Where refusals are recorded. Default: core's process-wide `securityEvents`. */
  bus?: SecurityEventBus;
  /** Proxies whose `X-Forwarded-For` is believed, as in `configurePortcullis`. Default none. */
  trustedProxies?: readonly TrustedProxy[];
  /** Clock in epoch milliseconds, for the log throttle and the events. Default `Date.now`. */
  now?: () => number;
}

export interface ResolvedGuardOptions {
  readonly matcher: OriginMatcher;
  readonly log: RefusalLog;
  readonly maxTrackedOrigins: number;
}

export interface ResolvedEngineOptions extends ResolvedGuardOptions {
  readonly bus: SecurityEventBus;
  readonly trustedProxies: TrustedProxies;
  readonly now: () => number;
}

function resolveLog(options: Readonly<OriginGuardOptions>, factory: string): ResolvedGuardOptions {
  const logIntervalMs = options.logIntervalMs ?? DEFAULT_LOG_INTERVAL_MS;
  const maxTrackedOrigins = options.maxTrackedOrigins ?? DEFAULT_MAX_TRACKED_ORIGINS;
  return {
    matcher: compileMatcher(options, factory),
    // An interval of 0 lets every refusal through the throttle.
    log: new RefusalLog(logIntervalMs === false ? 0 : logIntervalMs, maxTrackedOrigins),
    maxTrackedOrigins,
  };
}

/** `originGuard`'s options, checked against their spec, with their defaults. */
export function resolveGuardOptions(options: Readonly<OriginGuardOptions>): ResolvedGuardOptions {
  checkOptions(originGuardOptionsSpec, options, 'originGuard');
  return resolveLog(options, 'originGuard');
}

/** An engine hook's options (`factory` names it), checked, with their defaults. */
export function resolveEngineOptions(
  options: Readonly<OriginEngineOptions>,
  factory: string,
): ResolvedEngineOptions {
  checkOptions(originEngineOptionsSpec, options, factory);
  return {
    ...resolveLog(options, factory),
    bus: options.bus ?? securityEvents,
    trustedProxies: new TrustedProxies(options.trustedProxies ?? []),
    now: options.now ?? Date.now,
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

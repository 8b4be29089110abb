import {
  KeyedWindows,
  checkOptions,
  type GuardErrorCode,
  type SecurityEvent,
  type SecurityEventBus,
} from '@portcullis/core';
import { suspiciousActivityOptionsSpec } from './options';

/** A count in a window: `threshold` events within `windowMs`. */
export interface Threshold {
  threshold: number;
  windowMs: number;
}

/**
 * A weight of refusals on one socket, as core's escalation weighs them (per code, in
 * its window): the socket is reported when the weight reaches `threshold`.
 */
export interface SocketThreshold {
  threshold: number;
}

export interface SuspiciousActivityOptions {
  /** Authentication failures from one IP. Default 20 in 60 s; `false` turns it off. */
  authFailuresPerIp?: Threshold | false;
  /**
   * A socket whose refusals weigh this much in core's escalation window (the weight on
   * each `packet_refused` event). Default 25: half of the default weight that cuts it,
   * so the report comes before the disconnect. `false` turns it off.
   */
  refusalsPerSocket?: SocketThreshold | false;
  /** Refused handshakes of any kind from one IP. Default 100 in 60 s; `false` turns it off. */
  refusalsPerIp?: Threshold | false;
  /** Most addresses tracked at once; the stalest are forgotten first. Default 10,000. */
  maxTrackedSources?: number;
  now?: () => number;
}

const AUTH_CODES: ReadonlySet<GuardErrorCode> = new Set([
  'AUTH_REQUIRED',
  'AUTH_INVALID',
  'AUTH_EXPIRED',
]);

function chosen<T>(value: T | false | undefined, fallback: T): T | undefined {
  return value === false ? undefined : (value ?? fallback);
}

/**
 * Watches a bus for patterns a single refusal does not show, and puts a `suspicious`
 * event on the same bus once per window when a threshold is reached: many auth failures
 * from one IP (credential stuffing), many refused handshakes from one IP, many refused
 * packets from one socket (a client probing the API). Returns a function that stops it.
 */
export function detectSuspiciousActivity(
  bus: SecurityEventBus,
  options: SuspiciousActivityOptions = {},
): () => void {
  checkOptions(suspiciousActivityOptionsSpec, options, 'detectSuspiciousActivity');
  const now = options.now ?? Date.now;
  const maxSources = options.maxTrackedSources ?? 10_000;
  const authLimit = chosen(options.authFailuresPerIp, { threshold: 20, windowMs: 60_000 });
  const socketLimit = chosen(options.refusalsPerSocket, { threshold: 25 });
  const ipLimit = chosen(options.refusalsPerIp, { threshold: 100, windowMs: 60_000 });
  const auth = authLimit && new KeyedWindows(authLimit.windowMs, maxSources);
  const ips = ipLimit && new KeyedWindows(ipLimit.windowMs, maxSources);
  /** Once per window: when the count steps onto the threshold, not on every count past it. */
  const reached = (count: number, limit: { threshold: number }, amount = 1): boolean =>
    count >= limit.threshold && count - amount < limit.threshold;

  const report = (source: SecurityEvent, pattern: string, count: number, windowMs: number) => {
    const event: { -readonly [K in keyof SecurityEvent]: SecurityEvent[K] } = {
      type: 'suspicious',
      at: now(),
      ip: source.ip,
      guard: 'audit',
      detail: { pattern, count, windowMs },
    };
    if (source.socketId !== undefined) event.socketId = source.socketId;
    if (source.userId !== undefined) event.userId = source.userId;
    if (source.origin !== undefined) event.origin = source.origin;
    bus.emit(event);
  };

  return bus.on(function watchForPatterns(event) {
    if (event.type === 'handshake_refused') {
      const at = now();
      if (auth && authLimit && event.code !== undefined && AUTH_CODES.has(event.code)) {
        const count = auth.count(event.ip, 1, at);
        if (reached(count, authLimit)) report(event, 'auth_failures_per_ip', count, auth.windowMs);
      }
      if (ips && ipLimit) {
        const count = ips.count(event.ip, 1, at);
        if (reached(count, ipLimit)) report(event, 'refusals_per_ip', count, ips.windowMs);
      }
    } else if (event.type === 'packet_refused' && socketLimit && event.refusalWeight) {
      // Core weighed this refusal already (escalation): audit keeps nothing per socket.
      const { total, added, windowMs } = event.refusalWeight;
      if (added > 0 && reached(total, socketLimit, added)) {
        report(event, 'refusals_per_socket', total, windowMs);
      }
    }
  });
}

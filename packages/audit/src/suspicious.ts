import {
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

export interface SuspiciousActivityOptions {
  /** Authentication failures from one IP. Default 20 in 60 s; `false` turns it off. */
  authFailuresPerIp?: Threshold | false;
  /** Refused packets on one socket. Default 50 in 60 s; `false` turns it off. */
  refusalsPerSocket?: Threshold | false;
  /** Refused handshakes of any kind from one IP. Default 100 in 60 s; `false` turns it off. */
  refusalsPerIp?: Threshold | false;
  /** Most sources tracked at once; the oldest are forgotten first. Default 10,000. */
  maxTrackedSources?: number;
  now?: () => number;
}

const AUTH_CODES: ReadonlySet<GuardErrorCode> = new Set([
  'AUTH_REQUIRED',
  'AUTH_INVALID',
  'AUTH_EXPIRED',
]);

interface Window {
  count: number;
  startedAt: number;
}

function chosenThreshold(value: Threshold | false | undefined, fallback: Threshold) {
  return value === false ? undefined : (value ?? fallback);
}

/** Fixed-window counters in a bounded Map: a flood of new sources cannot grow memory. */
class WindowCounter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: Threshold,
    private readonly maxSources: number,
  ) {}

  /** Counts one event; answers the count when it just reached the threshold. */
  hit(key: string, now: number): number | undefined {
    let window = this.windows.get(key);
    if (window === undefined || now - window.startedAt >= this.limit.windowMs) {
      if (window === undefined && this.windows.size >= this.maxSources) {
        const oldest = this.windows.keys().next().value;
        if (oldest !== undefined) this.windows.delete(oldest);
      }
      window = { count: 0, startedAt: now };
      this.windows.delete(key);
      this.windows.set(key, window);
    }
    window.count++;
    return window.count === this.limit.threshold ? window.count : undefined;
  }

  forget(key: string): void {
    this.windows.delete(key);
  }

  get size(): number {
    return this.windows.size;
  }
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
  const authLimit = chosenThreshold(options.authFailuresPerIp, {
    threshold: 20,
    windowMs: 60_000,
  });
  const socketLimit = chosenThreshold(options.refusalsPerSocket, {
    threshold: 50,
    windowMs: 60_000,
  });
  const ipLimit = chosenThreshold(options.refusalsPerIp, {
    threshold: 100,
    windowMs: 60_000,
  });
  const auth = authLimit && new WindowCounter(authLimit, maxSources);
  const sockets = socketLimit && new WindowCounter(socketLimit, maxSources);
  const ips = ipLimit && new WindowCounter(ipLimit, maxSources);

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
    const at = now();
    if (event.type === 'handshake_refused') {
      if (auth && event.code !== undefined && AUTH_CODES.has(event.code)) {
        const count = auth.hit(event.ip, at);
        if (count !== undefined && authLimit) {
          report(event, 'auth_failures_per_ip', count, authLimit.windowMs);
        }
      }
      if (ips) {
        const count = ips.hit(event.ip, at);
        if (count !== undefined && ipLimit)
          report(event, 'refusals_per_ip', count, ipLimit.windowMs);
      }
    } else if (event.type === 'packet_refused' && sockets && event.socketId !== undefined) {
      const count = sockets.hit(event.socketId, at);
      if (count !== undefined && socketLimit) {
        report(event, 'refusals_per_socket', count, socketLimit.windowMs);
      }
    } else if (event.type === 'disconnection' && sockets && event.socketId !== undefined) {
      sockets.forget(event.socketId);
    }
  });
}

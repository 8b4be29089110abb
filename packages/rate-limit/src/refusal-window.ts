import type { GuardError } from '@portcullis/core';
import type { WindowSpec } from './limit-spec';
import { consumeCounter, type Counter } from './memory-window';
import { refusalError } from './refusal-error';

/** "Disconnect after `refusals` refusals within `windowMs`." */
export interface RefusalLimit {
  /** Refusals that end the connection (the last one included). */
  readonly refusals: number;
  readonly windowMs: number;
}

/** Validates a refusal limit and turns it into a window whose crossing means "cut". */
export function refusalWindow(limit: RefusalLimit, option: string): WindowSpec {
  if (typeof limit !== 'object' || limit === null) {
    throw new TypeError(`${option} must be { refusals, windowMs } or false.`);
  }
  const { refusals, windowMs } = limit;
  if (typeof refusals !== 'number' || !Number.isInteger(refusals) || refusals < 1) {
    throw new TypeError(`${option}.refusals must be a positive integer; got ${String(refusals)}.`);
  }
  if (typeof windowMs !== 'number' || !Number.isInteger(windowMs) || windowMs < 1) {
    throw new TypeError(
      `${option}.windowMs must be a positive integer of milliseconds; got ${String(windowMs)}.`,
    );
  }
  return { points: refusals - 1, durationMs: windowMs, blockDurationMs: 0 };
}

/**
 * Counts one refusal; `true` exactly once per window, on the refusal that reaches the
 * limit, so the caller disconnects (or reports, in dry-run) once.
 */
export function countRefusal(counter: Counter, spec: WindowSpec, now: number): boolean {
  consumeCounter(counter, spec, 1, now);
  return counter.count === spec.points + 1;
}

/** What a socket cut for too many refusals hears in `portcullis:disconnect`. */
export function tooManyRefusals(windowMs: number): GuardError {
  return refusalError('RATE_LIMITED', {
    message: 'Too many refused messages; the connection was closed. Slow down and reconnect later.',
    retryAfterMs: windowMs,
  });
}

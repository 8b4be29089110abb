import type { RateLimiterAbstract, RateLimiterCompatibleAbstract } from 'rate-limiter-flexible';

/**
 * One fixed window, in rate-limiter-flexible's terms: at most `points` per `durationMs`;
 * a key that goes over is refused until the window ends, or for `blockDurationMs` when
 * that is set (repeat offenders wait longer).
 */
export interface RateLimit {
  /** Points allowed per window. Each message costs its event's cost (1 by default). */
  readonly points: number;
  /** Window length in milliseconds. Redis stores count in whole seconds. */
  readonly durationMs: number;
  /** Once over the limit, refuse for this long instead of until the window ends. Default 0. */
  readonly blockDurationMs?: number;
}

/** A rate-limiter-flexible limiter you built yourself (any store, your own options). */
export type RateLimiterLike = RateLimiterAbstract | RateLimiterCompatibleAbstract;

/** A limit to describe, or a limiter you built. */
export type LimitSpec = RateLimit | RateLimiterLike;

/**
 * One or several windows that must all pass: give a short window for the burst and a
 * long one for the sustained rate, e.g. `[{ points: 20, durationMs: 1000 },
 * { points: 300, durationMs: 60_000 }]`. `false` turns the scope off.
 */
export type Limits<T extends LimitSpec = LimitSpec> = T | readonly T[] | false;

/** A validated window. */
export interface WindowSpec {
  readonly points: number;
  readonly durationMs: number;
  readonly blockDurationMs: number;
}

export function isLimiter(value: unknown): value is RateLimiterLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { consume?: unknown }).consume === 'function'
  );
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** Checks a described window once, at set-up, with a message that says how to fix it. */
export function toWindowSpec(limit: RateLimit, option: string): WindowSpec {
  if (typeof limit !== 'object' || limit === null) {
    throw new TypeError(
      `${option} must be { points, durationMs, blockDurationMs? } or a rate-limiter-flexible limiter.`,
    );
  }
  const { points, durationMs, blockDurationMs = 0 } = limit;
  if (!isPositiveInteger(points)) {
    throw new TypeError(`${option}.points must be a positive integer; got ${String(points)}.`);
  }
  if (!isPositiveInteger(durationMs)) {
    throw new TypeError(
      `${option}.durationMs must be a positive integer of milliseconds; got ${String(durationMs)}.`,
    );
  }
  if (
    typeof blockDurationMs !== 'number' ||
    !Number.isInteger(blockDurationMs) ||
    blockDurationMs < 0
  ) {
    throw new TypeError(
      `${option}.blockDurationMs must be 0 or a positive integer of milliseconds; got ${String(blockDurationMs)}.`,
    );
  }
  return { points, durationMs, blockDurationMs };
}

/** Stores that count in seconds (Redis) need whole seconds; say so at set-up, not at run time. */
export function assertWholeSeconds(spec: WindowSpec, option: string): void {
  if (spec.durationMs % 1000 !== 0 || spec.blockDurationMs % 1000 !== 0) {
    throw new TypeError(
      `${option}: Redis counts in whole seconds, so durationMs and blockDurationMs must be ` +
        `multiples of 1000 (got ${spec.durationMs} and ${spec.blockDurationMs}).`,
    );
  }
}

/** One limit of a scope and the option path to name it in error messages. */
export interface LabelledLimit<T extends LimitSpec> {
  readonly limit: T;
  readonly label: string;
}

/**
 * Normalises `Limits` to a list (`false` and `[]` give none), each entry labelled with
 * its option path (`perUser`, or `perUser[1]` when an array was given).
 */
export function limitEntries<T extends LimitSpec>(
  limits: Limits<T> | undefined,
  fallback: Limits<T>,
  option: string,
): LabelledLimit<T>[] {
  const chosen = limits === undefined ? fallback : limits;
  if (chosen === false) return [];
  if (Array.isArray(chosen)) {
    return (chosen as readonly T[]).map((limit, index) => ({
      limit,
      label: `${option}[${index}]`,
    }));
  }
  return [{ limit: chosen as T, label: option }];
}

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
  /**
   * Once over the limit, refuse for this long (from the first crossing) instead of until
   * the window ends. Default: no block; `false` says so too.
   */
  readonly blockDurationMs?: number | false;
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

/** A checked window; `blockDurationMs` 0 means no block. */
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

/** A described window, already checked by the options spec, with its block resolved. */
export function toWindowSpec(limit: RateLimit): WindowSpec {
  const block = limit.blockDurationMs;
  return {
    points: limit.points,
    durationMs: limit.durationMs,
    blockDurationMs: block === undefined || block === false ? 0 : block,
  };
}

/** Normalises `Limits` to a list: `false` gives none; absent gives `fallback`. */
export function limitList<T extends LimitSpec>(
  limits: Limits<T> | undefined,
  fallback: Limits<T>,
): readonly T[] {
  const chosen = limits === undefined ? fallback : limits;
  if (chosen === false) return [];
  return Array.isArray(chosen) ? (chosen as readonly T[]) : [chosen as T];
}

import type { GuardErrorCode } from './codes';
import type { GuardErrorInfo } from './guard-error-info';

/** What to do after a refused handshake or a server-initiated disconnect. */
export type ReconnectAdvice =
  | { readonly action: 'retry'; readonly delayMs: number }
  | { readonly action: 'refresh-token' }
  | { readonly action: 'stop' };

export interface ReconnectAdviceOptions {
  /** Failed attempts in a row before this one, from 0: drives the backoff. Default 0. */
  attempt?: number;
  /** First backoff delay. Default 1,000. */
  baseDelayMs?: number;
  /** Longest backoff delay. Default 30,000. */
  maxDelayMs?: number;
  /**
   * Longest wait for a rate limit, however long the server asks for. Default 300,000
   * (5 min): a retry after that gets a new `retryAfterMs` if the limit still holds.
   */
  maxRetryAfterMs?: number;
  /** Source of jitter in [0, 1). Default `Math.random`. */
  random?: () => number;
}

export const DEFAULT_BASE_DELAY_MS = 1_000;
export const DEFAULT_MAX_DELAY_MS = 30_000;
export const DEFAULT_MAX_RETRY_AFTER_MS = 300_000;
/** The most a rate-limit wait is stretched by, so clients refused together spread out. */
const MAX_RATE_LIMIT_JITTER_MS = 1_000;

/** Policy decisions: the same request gets the same answer, so retrying cannot help. */
const TERMINAL: ReadonlySet<GuardErrorCode> = new Set<GuardErrorCode>([
  'ORIGIN_REJECTED',
  'AUTH_REQUIRED',
  'AUTH_INVALID',
  'FORBIDDEN',
  'PAYLOAD_TOO_LARGE',
  'VALIDATION_FAILED',
  'SESSION_REVOKED',
  'CONTENT_REJECTED',
  // Already delivered: resending the same message is answered the same way.
  'REPLAYED',
]);

const STOP: ReconnectAdvice = Object.freeze({ action: 'stop' });
const REFRESH: ReconnectAdvice = Object.freeze({ action: 'refresh-token' });

/** Exponential backoff with "equal jitter": between half and all of the capped step. */
export function backoffDelayMs(attempt: number, options: ReconnectAdviceOptions = {}): number {
  const base = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const max = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const random = options.random ?? Math.random;
  const step = Math.min(max, base * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(step / 2 + (random() * step) / 2);
}

/** `retryAfterMs` plus up to 10 % (at most 1 s), never less than asked, capped. */
function rateLimitDelayMs(retryAfterMs: number, options: ReconnectAdviceOptions): number {
  const random = options.random ?? Math.random;
  const jitter = random() * Math.min(MAX_RATE_LIMIT_JITTER_MS, Math.max(50, retryAfterMs / 10));
  return Math.round(
    Math.min(options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS, retryAfterMs + jitter),
  );
}

/**
 * What a client should do about a refusal that closed (or never opened) its connection:
 *
 * - `stop` for policy decisions (`ORIGIN_REJECTED`, `AUTH_REQUIRED`, `AUTH_INVALID`,
 *   `FORBIDDEN`, `SESSION_REVOKED`, …) and for anything the server marked not retryable;
 * - `refresh-token` for `AUTH_EXPIRED` and `SESSION_EXPIRED`: get a new token, then
 *   reconnect with it;
 * - `retry` after `retryAfterMs` (plus a little jitter) for `RATE_LIMITED`, and after an
 *   exponential backoff for `CONNECTION_LIMIT`, `INTERNAL`, `IDLE_TIMEOUT` and rate
 *   limits that gave no wait.
 *
 * Pure: the caller keeps the attempt count (reset it once connected).
 */
export function reconnectAdvice(
  info: GuardErrorInfo,
  options: ReconnectAdviceOptions = {},
): ReconnectAdvice {
  const { code } = info;
  if (code === 'AUTH_EXPIRED' || code === 'SESSION_EXPIRED') return REFRESH;
  if (TERMINAL.has(code) || !info.retryable) return STOP;
  if (code === 'RATE_LIMITED' && info.retryAfterMs !== undefined) {
    return { action: 'retry', delayMs: rateLimitDelayMs(info.retryAfterMs, options) };
  }
  return { action: 'retry', delayMs: backoffDelayMs(options.attempt ?? 0, options) };
}

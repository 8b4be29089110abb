import { GuardError } from '@portcullis/core';
import {
  GUARD_ERROR_CODES,
  backoffDelayMs,
  readGuardError,
  reconnectAdvice,
  type GuardErrorCode,
} from '../src';

/** What a real server sends for `code` (core's GuardError), as the client reads it. */
function refusal(code: GuardErrorCode, options: ConstructorParameters<typeof GuardError>[1] = {}) {
  const info = readGuardError(new GuardError(code, options).data);
  if (info === undefined) throw new Error(`unreadable ${code}`);
  return info;
}

const EXPECTED: Record<GuardErrorCode, 'retry' | 'refresh-token' | 'stop'> = {
  ORIGIN_REJECTED: 'stop',
  AUTH_REQUIRED: 'stop',
  AUTH_INVALID: 'stop',
  AUTH_EXPIRED: 'refresh-token',
  FORBIDDEN: 'stop',
  RATE_LIMITED: 'retry',
  CONNECTION_LIMIT: 'retry',
  PAYLOAD_TOO_LARGE: 'stop',
  VALIDATION_FAILED: 'stop',
  SESSION_EXPIRED: 'refresh-token',
  SESSION_REVOKED: 'stop',
  IDLE_TIMEOUT: 'retry',
  INTERNAL: 'retry',
  CONTENT_REJECTED: 'stop',
  REPLAYED: 'stop',
};

describe('reconnectAdvice', () => {
  it.each(GUARD_ERROR_CODES.map((code) => [code, EXPECTED[code]]))('%s: %s', (code, action) => {
    expect(reconnectAdvice(refusal(code)).action).toBe(action);
  });

  it('waits at least retryAfterMs on a rate limit, stretched by a bounded jitter', () => {
    const info = refusal('RATE_LIMITED', { retryAfterMs: 2_000 });
    expect(reconnectAdvice(info, { random: () => 0 })).toEqual({ action: 'retry', delayMs: 2_000 });
    expect(reconnectAdvice(info, { random: () => 0.999 })).toEqual({
      action: 'retry',
      delayMs: 2_200,
    });
    const long = refusal('RATE_LIMITED', { retryAfterMs: 60_000 });
    // 10 % would be 6 s: the jitter never adds more than 1 s.
    expect(reconnectAdvice(long, { random: () => 0.999 })).toEqual({
      action: 'retry',
      delayMs: 60_999,
    });
    // However long the server asks, the wait is capped (a retry then gets a fresh answer).
    const absurd = refusal('RATE_LIMITED', { retryAfterMs: 86_400_000 });
    expect(reconnectAdvice(absurd, { random: () => 0.5 })).toEqual({
      action: 'retry',
      delayMs: 300_000,
    });
    expect(reconnectAdvice(absurd, { maxRetryAfterMs: 10_000 })).toEqual({
      action: 'retry',
      delayMs: 10_000,
    });
  });

  it('backs off exponentially, capped, for retryable codes without a wait', () => {
    const busy = refusal('CONNECTION_LIMIT');
    const delays = [0, 1, 2, 3, 10, 50].map(
      (attempt) =>
        (reconnectAdvice(busy, { attempt, random: () => 1 }) as { delayMs: number }).delayMs,
    );
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 30_000, 30_000]);
    // Equal jitter: never less than half the step.
    expect(backoffDelayMs(3, { random: () => 0 })).toBe(4_000);
    expect(backoffDelayMs(2, { baseDelayMs: 100, maxDelayMs: 250, random: () => 1 })).toBe(250);
    const noWait = refusal('RATE_LIMITED');
    expect(reconnectAdvice(noWait, { attempt: 1, random: () => 0 })).toEqual({
      action: 'retry',
      delayMs: 1_000,
    });
  });

  it('stops when the server marks a normally retryable code as final', () => {
    expect(reconnectAdvice(refusal('INTERNAL', { retryable: false })).action).toBe('stop');
    expect(reconnectAdvice(refusal('FORBIDDEN', { retryable: true })).action).toBe('stop');
  });
});

/** The stable codes of `@portcullis/core`: reported as they are ("refused with AUTH_INVALID"). */
export const PORTCULLIS_CODES: ReadonlySet<string> = new Set([
  'ORIGIN_REJECTED',
  'AUTH_REQUIRED',
  'AUTH_INVALID',
  'AUTH_EXPIRED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'CONNECTION_LIMIT',
  'PAYLOAD_TOO_LARGE',
  'VALIDATION_FAILED',
  'SESSION_EXPIRED',
  'SESSION_REVOKED',
  'IDLE_TIMEOUT',
  'INTERNAL',
  'CONTENT_REJECTED',
  'REPLAYED',
]);

/**
 * Refusals that say "not now" rather than "not this": a rate or connection limit
 * counting the probe's own traffic. Such a refusal says nothing about the attempt.
 */
const LIMIT_CODES: ReadonlySet<string> = new Set(['RATE_LIMITED', 'CONNECTION_LIMIT']);

export function isPortcullisCode(code: string | undefined): code is string {
  return code !== undefined && PORTCULLIS_CODES.has(code);
}

/** Whether a refusal came from a limit: a Portcullis limit code, or a retry-after. */
export function isLimitRefusal(
  code: string | undefined,
  retryAfterMs: number | undefined,
): boolean {
  return (code !== undefined && LIMIT_CODES.has(code)) || retryAfterMs !== undefined;
}

/**
 * Whether a limit refusal says that waiting helps: a rate limit (`RATE_LIMITED`), or
 * any refusal with a `retryAfterMs`. A `CONNECTION_LIMIT` without one is a cap, which
 * waiting does not lift.
 */
export function isRetryableLimit(
  code: string | undefined,
  retryAfterMs: number | undefined,
): boolean {
  return code === 'RATE_LIMITED' || retryAfterMs !== undefined;
}

/** Flattens and shortens server text for the report. */
export function clip(text: string, max = 40): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

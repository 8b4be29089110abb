/**
 * The stable set of error codes every Portcullis guard speaks.
 *
 * Clients branch on `err.data.code`; the list is closed so `switch (code)` narrows.
 */
export const GUARD_ERROR_CODES = [
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
] as const;

export type GuardErrorCode = (typeof GUARD_ERROR_CODES)[number];

interface CodeInfo {
  /** Whether reconnecting or resending can ever help. */
  readonly retryable: boolean;
  /** A message that helps an honest developer and tells an attacker nothing new. */
  readonly message: string;
}

/**
 * Defaults per code. `retryable` follows the grouping Centrifugo and Pusher use for
 * their close codes: temporary conditions are retryable, policy decisions are not.
 */
export const CODE_INFO: Readonly<Record<GuardErrorCode, CodeInfo>> = {
  ORIGIN_REJECTED: { retryable: false, message: 'This origin is not allowed to connect.' },
  AUTH_REQUIRED: { retryable: false, message: 'Authentication is required.' },
  AUTH_INVALID: { retryable: false, message: 'The credentials are not valid.' },
  AUTH_EXPIRED: { retryable: true, message: 'The token has expired; get a new one and retry.' },
  FORBIDDEN: { retryable: false, message: 'You are not allowed to do this.' },
  RATE_LIMITED: { retryable: true, message: 'Too many requests; slow down and retry later.' },
  CONNECTION_LIMIT: { retryable: true, message: 'Too many connections; retry later.' },
  PAYLOAD_TOO_LARGE: { retryable: false, message: 'The message is too large.' },
  VALIDATION_FAILED: { retryable: false, message: 'The message is not valid.' },
  SESSION_EXPIRED: { retryable: true, message: 'The session has expired; sign in again.' },
  SESSION_REVOKED: { retryable: false, message: 'The session has been revoked.' },
  IDLE_TIMEOUT: { retryable: true, message: 'The connection was idle for too long.' },
  INTERNAL: { retryable: true, message: 'The server could not check this request.' },
  CONTENT_REJECTED: { retryable: false, message: 'The message was not accepted.' },
  REPLAYED: {
    retryable: false,
    message: 'This message was already received (or its timestamp is outside the allowed window).',
  },
};

export function isGuardErrorCode(value: unknown): value is GuardErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CODE_INFO, value);
}

/**
 * The refusal codes a Portcullis server sends, copied here so this package has no
 * runtime dependency (core imports `node:net`, which a browser cannot load). A type
 * test (`test/codes.types.ts`) fails the type-check if this list and core's drift apart.
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

/**
 * Whether reconnecting or resending can help, per code, when the server did not say
 * (it always does; this is the fallback for a payload that lost the field).
 */
export const RETRYABLE_BY_DEFAULT: Readonly<Record<GuardErrorCode, boolean>> = {
  ORIGIN_REJECTED: false,
  AUTH_REQUIRED: false,
  AUTH_INVALID: false,
  AUTH_EXPIRED: true,
  FORBIDDEN: false,
  RATE_LIMITED: true,
  CONNECTION_LIMIT: true,
  PAYLOAD_TOO_LARGE: false,
  VALIDATION_FAILED: false,
  SESSION_EXPIRED: true,
  SESSION_REVOKED: false,
  IDLE_TIMEOUT: true,
  INTERNAL: true,
  CONTENT_REJECTED: false,
  REPLAYED: false,
};

export function isGuardErrorCode(value: unknown): value is GuardErrorCode {
  return (
    typeof value === 'string' && Object.prototype.hasOwnProperty.call(RETRYABLE_BY_DEFAULT, value)
  );
}

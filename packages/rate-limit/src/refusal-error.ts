import { GuardError, type GuardErrorCode, type GuardErrorOptions } from '@portcullis/core';

/**
 * A `GuardError` built without a stack trace. A refusal is an answer to a client, not a
 * bug: its stack would only show Socket.io's packet loop, and capturing it was the
 * largest part of refusing a packet (a few µs, more than counting). Under a flood that
 * is paid for every packet refused, and refusing must stay cheaper than handling.
 */
export function refusalError(code: GuardErrorCode, options: GuardErrorOptions): GuardError {
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 0;
  } catch {
    // Frozen by a hardened runtime: keep the stack rather than fail the refusal.
    return new GuardError(code, options);
  }
  try {
    return new GuardError(code, options);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

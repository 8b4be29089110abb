import { isGuardErrorCode } from './codes';
import type { GuardErrorInfo } from './guard-error-info';

/** A refused message as `guard.emitWithAck` resolves it: the server's (or the pre-check's) refusal. */
export interface GuardRefusalReply {
  readonly error: GuardErrorInfo;
}

/**
 * What `guard.emitWithAck` resolves for a replay event whose earlier attempt got no
 * answer and whose resend the server recognised (`REPLAYED`, `duplicate: true`): the
 * first attempt was delivered; its handler's own reply was lost with the ack.
 */
export interface DuplicateDelivery {
  readonly ok: true;
  readonly duplicate: true;
}

/**
 * Narrows a reply of `guard.emitWithAck` (or any ack reply) to a refusal
 * `{ error: GuardErrorInfo }`: an object whose `error` has a known code, a message and
 * `retryable`.
 *
 * @example
 * const reply = await guard.emitWithAck<{ ok: true; id: string }>('chat:send', { text });
 * if (isRefusal(reply)) return toast(describeGuardError(reply.error));
 * reply.id; // typed
 */
export function isRefusal(reply: unknown): reply is GuardRefusalReply {
  if (typeof reply !== 'object' || reply === null) return false;
  const error = (reply as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, retryable } = error as Record<string, unknown>;
  return isGuardErrorCode(code) && typeof message === 'string' && typeof retryable === 'boolean';
}

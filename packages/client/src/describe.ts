import type { GuardErrorCode } from './codes';
import type { GuardErrorInfo } from './guard-error-info';

export interface DescribeOptions {
  /**
   * Whether the app refreshes expired tokens by itself (as `guardClient` does with
   * `getToken`). Default `true`: "Your session expired; refreshing…". `false`: "…; please
   * sign in again."
   */
  refreshing?: boolean;
}

/** "3 s", "2 min": rounded up, so the user never retries too early. */
function duration(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}

/** "512 bytes", "64 KB", "2 MB" (1024-based, as the limits are usually configured). */
function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.floor(bytes / 1024)} KB`;
  return `${Math.floor(bytes / (1024 * 1024))} MB`;
}

function tooLarge(info: GuardErrorInfo): string {
  const facts = info.info ?? {};
  const limitBytes = facts.limitBytes;
  if (typeof limitBytes === 'number') {
    return `That message is too large (the limit is ${size(limitBytes)}).`;
  }
  if (facts.limit === 'maxStringLength' && typeof facts.max === 'number') {
    return `That message is too long (the limit is ${facts.max} characters).`;
  }
  if (facts.limit === 'maxAttachments' && typeof facts.max === 'number') {
    return `That message has too many attachments (at most ${facts.max}).`;
  }
  return 'That message is too large or too deeply nested to send.';
}

function rateLimited(info: GuardErrorInfo): string {
  // A refused handshake carries no event; a refused message does (or comes from an ack).
  const what = info.event === undefined ? 'Too many connection attempts' : 'Too many messages';
  if (info.retryAfterMs === undefined) return `${what}; please slow down.`;
  return `${what}; try again in ${duration(info.retryAfterMs)}.`;
}

const SENTENCES: Readonly<
  Record<GuardErrorCode, (info: GuardErrorInfo, refresh: boolean) => string>
> = {
  ORIGIN_REJECTED: () => 'This page is not allowed to connect to the server.',
  AUTH_REQUIRED: () => 'Please sign in to continue.',
  AUTH_INVALID: () => 'Your sign-in is not valid; please sign in again.',
  AUTH_EXPIRED: (_, refresh) =>
    refresh ? 'Your session expired; refreshing…' : 'Your session expired; please sign in again.',
  FORBIDDEN: () => 'You are not allowed to do that.',
  RATE_LIMITED: rateLimited,
  CONNECTION_LIMIT: () => 'The server is busy; reconnecting shortly.',
  PAYLOAD_TOO_LARGE: tooLarge,
  VALIDATION_FAILED: () => 'That message was not accepted: it is not in the expected format.',
  SESSION_EXPIRED: (_, refresh) =>
    refresh ? 'Your session expired; refreshing…' : 'Your session expired; please sign in again.',
  SESSION_REVOKED: () => 'You were logged out from another tab or device.',
  IDLE_TIMEOUT: () => 'You were disconnected after a period of inactivity.',
  INTERNAL: () => 'The server could not handle this right now; please try again in a moment.',
  CONTENT_REJECTED: () => 'That message was not accepted.',
  REPLAYED: () => 'That message was already delivered.',
};

/**
 * One plain sentence per code, for users (the server's `message` is for developers).
 * Insert it as text (`textContent`), like anything else that came over the network.
 *
 * @example
 * describeGuardError({ code: 'RATE_LIMITED', event: 'chat:send', retryAfterMs: 2100, … })
 * // 'Too many messages; try again in 3 s.'
 */
export function describeGuardError(info: GuardErrorInfo, options: DescribeOptions = {}): string {
  return SENTENCES[info.code](info, options.refreshing ?? true);
}

export { GUARD_ERROR_CODES, isGuardErrorCode, type GuardErrorCode } from './codes';
export {
  readGuardError,
  isGuardError,
  type GuardErrorInfo,
  type GuardErrorDetail,
} from './guard-error-info';
export {
  reconnectAdvice,
  backoffDelayMs,
  type ReconnectAdvice,
  type ReconnectAdviceOptions,
} from './advice';
export { describeGuardError, type DescribeOptions } from './describe';
export { readServerLimits, limitsForEvent, type ServerLimits, type EventLimits } from './limits';
export {
  measureMessage,
  utf8Length,
  ACK_ID_RESERVE_DIGITS,
  type MeasureOptions,
  type MessageMeasure,
} from './measure';
export { checkMessage } from './check-message';
export { jwtExpiresAt } from './token-expiry';
export { guardClient, type GuardClient } from './guard-client';
export {
  DEFAULT_EVENT_NAMES,
  type GuardClientOptions,
  type GuardEventNames,
  type RefusalSource,
  type ReplayFieldNames,
  type SessionEnding,
} from './options';
export { isRefusal, type GuardRefusalReply, type DuplicateDelivery } from './refusal-reply';
export type { RefreshResult, RefreshFailure } from './refresh-result';

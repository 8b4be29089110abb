export { rateLimitGuard, type RateLimitGuard } from './rate-limit-guard';
export { rateLimitGuardOptionsSpec, type RateLimitGuardOptions } from './rate-limit-options';
export { connectionRateLimitGuard, type ConnectionRateLimitGuard } from './connection-guard';
export {
  connectionRateLimitGuardOptionsSpec,
  DEFAULT_PER_IP_CONNECTIONS,
  DEFAULT_PER_USER_CONNECTIONS,
  type ConnectionLimitOptions,
  type ConnectionRateLimitGuardOptions,
} from './connection-options';
export { messageRateLimitGuard, type MessageRateLimitGuard } from './message-guard';
export {
  messageRateLimitGuardOptionsSpec,
  DEFAULT_PER_SOCKET,
  DEFAULT_PER_USER,
  type MessageLimitOptions,
  type MessageRateLimitGuardOptions,
} from './message-options';
export { recheckOnRecovery } from './recovery';
export type { RateLimit, LimitSpec, Limits, RateLimiterLike } from './limit-spec';
export type { RateLimitStoreOptions, StoreErrorPolicy } from './store-options';
export { STORE_WARNING_INTERVAL_MS } from './store-errors';

export {
  rateLimitGuard,
  type RateLimitGuard,
  type RateLimitGuardOptions,
} from './rate-limit-guard';
export {
  connectionRateLimitGuard,
  DEFAULT_PER_IP_CONNECTIONS,
  DEFAULT_PER_USER_CONNECTIONS,
  type ConnectionRateLimitGuard,
  type ConnectionRateLimitGuardOptions,
} from './connection-guard';
export {
  messageRateLimitGuard,
  DEFAULT_PER_SOCKET,
  DEFAULT_PER_USER,
  DEFAULT_DISCONNECT_AFTER,
  type MessageRateLimitGuard,
  type MessageRateLimitGuardOptions,
} from './message-guard';
export {
  errorRateLimitGuard,
  DEFAULT_ERROR_RATE,
  type ErrorRateLimitGuardOptions,
} from './error-rate-guard';
export { recheckOnRecovery } from './recovery';
export type { RateLimit, LimitSpec, Limits, RateLimiterLike } from './limit-spec';
export type { RefusalLimit } from './refusal-window';
export type { RateLimitStoreOptions, StoreErrorPolicy } from './store-options';
export type { RedisClientLike } from './redis-store';
export { STORE_WARNING_INTERVAL_MS } from './store-errors';

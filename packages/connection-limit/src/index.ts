export {
  connectionLimitGuard,
  type ConnectionLimitGuard,
  type ConnectionLimitStats,
} from './connection-limit-guard';
export {
  type ConnectionLimitGuardOptions,
  type PerUserPolicy,
  type StoreErrorPolicy,
} from './options';
export { type LimitName } from './refusals';
export { type IoredisLike, type NodeRedisLike, type RedisClientLike } from './redis-client';

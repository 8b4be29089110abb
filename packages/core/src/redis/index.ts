export {
  isRedisClient,
  isIoredisClient,
  isNodeRedisClient,
  isClusterClient,
  slotSafePrefix,
  REDIS_CLIENT_EXPECTED,
  type RedisClient,
  type IoredisLikeClient,
  type NodeRedisLikeClient,
} from './client';
export {
  RedisStoreError,
  isRedisStoreError,
  type RedisFailureKind,
  type StoreErrorPolicy,
} from './errors';
export {
  createRedisAdapter,
  DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  type RedisAdapter,
  type RedisAdapterOptions,
  type RedisScript,
} from './adapter';
export { batchWritesThisTurn } from './write-batch';

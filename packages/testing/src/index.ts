export { closeAll, onCleanup } from './cleanup';
export { startServer, type StartServerOptions, type TestServer } from './server';
export {
  connectClient,
  createClient,
  delay,
  emitWithAck,
  expectConnectError,
  expectSilence,
  waitFor,
  type ClientOptions,
  type ClientSocket,
  type ConnectError,
} from './client';
export {
  TEST_REDIS_ENV,
  findRunningRedis,
  freePort,
  hasTestRedis,
  pingRedis,
  startOwnRedis,
  testRedisUrl,
  type OwnRedis,
} from './redis';
export { describeRedis } from './describe-redis';
export { readyIoredis, readyNodeRedis, type NodeRedisClient } from './redis-clients';

export { closeAll, onCleanup } from './cleanup';
export { thrownBy } from './thrown-by';
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
  pollUntil,
  startOwnRedis,
  testRedisUrl,
  type OwnRedis,
} from './redis';
export { describeRedis } from './describe-redis';
export { startRedisCluster, type OwnRedisCluster } from './redis-cluster';
export { closeIoredis, readyIoredis, readyNodeRedis, type NodeRedisClient } from './redis-clients';
export {
  BASIC_MARKUP,
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  CORPUS_FILE,
  CORPUS_SHA256,
  HARNESS_NONCE,
  INSERT_WITH_INNER_HTML,
  NO_MARKUP,
  Renderer,
  TRAP_PROBES,
  describeBrowser,
  hasChromium,
  launchChromium,
  loadCorpus,
  renderAll,
  startPageServer,
  type AllowedMarkup,
  type BatchOutcome,
  type Browser,
  type Execution,
  type Page,
  type PageRoute,
  type PageServer,
  type PageServerOptions,
  type RenderReport,
  type RendererOptions,
  type Vector,
} from './browser';

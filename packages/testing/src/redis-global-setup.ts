import { TEST_REDIS_ENV, findRunningRedis, startOwnRedis, type OwnRedis } from './redis';

/**
 * Jest global set-up: finds a Redis for the whole run (REDIS_URL, then
 * 127.0.0.1:6379, then a `redis-server` started on a free port) and hands its URL to
 * the workers through the environment. In CI a missing Redis fails the run; elsewhere
 * Redis tests are skipped with a loud warning.
 */
declare global {
  var __PORTCULLIS_OWN_REDIS__: OwnRedis | undefined;
}

export default async function redisGlobalSetup(): Promise<void> {
  const running = await findRunningRedis();
  if (running !== undefined) {
    process.env[TEST_REDIS_ENV] = running;
    return;
  }
  try {
    const own = await startOwnRedis();
    globalThis.__PORTCULLIS_OWN_REDIS__ = own;
    process.env[TEST_REDIS_ENV] = own.url;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI === 'true' || process.env.CI === '1') {
      throw new Error(`Redis is required in CI and none could be found or started: ${reason}`, {
        cause: error,
      });
    }
    process.env[TEST_REDIS_ENV] = '';
    console.warn(
      `\n*** No Redis (REDIS_URL, 127.0.0.1:6379, redis-server): Redis tests are SKIPPED. ${reason}\n`,
    );
  }
}

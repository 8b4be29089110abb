/** Jest global tear-down: stops the `redis-server` the set-up started, if any. */
export default async function redisGlobalTeardown(): Promise<void> {
  await globalThis.__PORTCULLIS_OWN_REDIS__?.stop();
  globalThis.__PORTCULLIS_OWN_REDIS__ = undefined;
}

import { hasTestRedis } from './redis';

/**
 * `describe` for suites that need Redis. Without Redis it skips the suite and says so
 * loudly; in CI the Jest global set-up has already failed the run instead.
 */
export function describeRedis(name: string, body: () => void): void {
  if (hasTestRedis()) {
    describe(name, body);
    return;
  }
  console.warn(`*** "${name}" SKIPPED: no Redis available.`);
  describe.skip(name, body);
}

import { CHROMIUM_PATH, hasChromium } from './chromium';

const inCi = (): boolean => process.env.CI === 'true' || process.env.CI === '1';

/**
 * `describe` for suites that need Chromium. Without it the suite is skipped, loudly;
 * in CI it is never skipped: a missing browser fails the run with how to fix it.
 */
export function describeBrowser(name: string, body: () => void): void {
  if (hasChromium()) {
    describe(name, body);
    return;
  }
  if (inCi()) {
    describe(name, () => {
      it('has Chromium to run in', () => {
        throw new Error(
          `"${name}" needs Chromium at ${CHROMIUM_PATH} in CI (apt-get install chromium).`,
        );
      });
    });
    return;
  }
  console.warn(
    `\n*** "${name}" SKIPPED: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium).\n`,
  );
  describe.skip(name, body);
}

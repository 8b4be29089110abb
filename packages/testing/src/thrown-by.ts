/**
 * The error `run` throws, when `isExpected` accepts it (e.g. core's
 * `isPortcullisConfigError`). Anything else thrown is rethrown as it is; nothing thrown
 * fails the test.
 */
export function thrownBy<E>(run: () => unknown, isExpected: (error: unknown) => error is E): E {
  try {
    run();
  } catch (error) {
    if (isExpected(error)) return error;
    throw error;
  }
  throw new Error('expected an error, and nothing was thrown');
}

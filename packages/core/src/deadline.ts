/**
 * `pending`, or a rejection with `timedOut()` once `timeoutMs` has passed first; a
 * rejection of `pending` goes through `failed` (unchanged without it). The timer is
 * cleared either way, so nothing is held after the answer.
 */
export function withinDeadline<T>(
  pending: Promise<T>,
  timeoutMs: number,
  timedOut: () => Error,
  failed: (error: unknown) => unknown = (error) => error,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(timedOut()), timeoutMs);
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(failed(error));
      },
    );
  });
}

/** Option specs of a limit and of a list of limits. */
import { PortcullisConfigError, isPlainObject, opt, type OptionSpec } from '@portcullis/core';
import { isLimiter } from './limit-spec';

/** `{ points, durationMs, blockDurationMs? }`: one fixed window. */
export const rateLimitSpec: OptionSpec = opt.object({
  points: opt.required(opt.integer({ min: 1 })),
  durationMs: opt.required(opt.integer({ min: 1 })),
  blockDurationMs: opt.oldSpelling(
    opt.off(opt.integer({ min: 1 })),
    0,
    '0 no longer means "no block": leave blockDurationMs out, or write false.',
  ),
});

/** A rate-limiter-flexible limiter the user built (duck-typed: any copy of the library). */
export const limiterSpec: OptionSpec = opt.custom('a rate-limiter-flexible limiter', isLimiter);

/**
 * `Limits`: `false`, one window, a limiter, or a non-empty list of them. Written by hand
 * rather than as a union of unions so that an error inside a list entry keeps its path
 * (`perUser[1].durationMs`) and its "did you mean" instead of a generic "must be …".
 * `limiters: false` for scopes counted on the socket, which only take described windows.
 */
export function limitsSpec(options: { readonly limiters: boolean }): OptionSpec {
  const entry = options.limiters ? opt.union(rateLimitSpec, limiterSpec) : rateLimitSpec;
  const expected = options.limiters
    ? 'false, { points, durationMs, blockDurationMs? }, a rate-limiter-flexible limiter, or a list of them'
    : 'false, { points, durationMs, blockDurationMs? }, or a list of them';
  const checkEntry = (value: unknown, path: string): void => {
    if (isLimiter(value)) {
      if (options.limiters) return;
      throw new PortcullisConfigError(
        'PORTCULLIS_CONFIG_INVALID_TYPE',
        path,
        'takes { points, durationMs, blockDurationMs? } only (it is counted on the socket); ' +
          'pass a limiter you built to perUser or global instead.',
      );
    }
    if (!isPlainObject(value)) {
      throw new PortcullisConfigError(
        'PORTCULLIS_CONFIG_INVALID_TYPE',
        path,
        `must be ${expected}; got ${value === null ? 'null' : typeof value}.`,
      );
    }
    rateLimitSpec.check(value, path);
  };
  return {
    expected,
    variants: [
      opt.oneOf([false]),
      rateLimitSpec,
      ...(options.limiters ? [limiterSpec] : []),
      opt.array(entry),
    ],
    check(value, path) {
      if (value === false) return;
      if (!Array.isArray(value)) {
        checkEntry(value, path);
        return;
      }
      if (value.length === 0) {
        throw new PortcullisConfigError(
          'PORTCULLIS_CONFIG_INVALID_TYPE',
          path,
          'an empty list no longer turns the scope off: write false.',
        );
      }
      value.forEach((element: unknown, index) => checkEntry(element, `${path}[${index}]`));
    },
  };
}

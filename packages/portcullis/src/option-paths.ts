import { PortcullisConfigError, isPortcullisConfigError, withOptionPath } from '@portcullis/core';
import { FACTORY } from './options';

/**
 * Builds a guard from the options found under `key` of the preset's options, so a
 * mistake inside them is reported from the top of what the user wrote:
 * `portcullis: auth.audiance: unknown option, did you mean auth.audience?`, not
 * `authGuard: audiance`.
 */
export function buildUnder<T>(key: string, build: () => T): T {
  return withOptionPath(key, FACTORY, build);
}

/**
 * The origin guard gets the preset's top-level `origins` and `trustedProxies` merged
 * into `origin`'s options: its errors about those keep their top-level path.
 */
export function buildOrigin<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (!isPortcullisConfigError(error)) throw error;
    const topLevel = /^(origins|trustedProxies|bus)\b/.test(error.path);
    if (!topLevel) throw error.under('origin', FACTORY);
    throw new PortcullisConfigError(error.code, error.path, error.detail, {
      factory: FACTORY,
      ...(error.suggestion === undefined ? {} : { suggestion: error.suggestion }),
      cause: error.cause,
    });
  }
}

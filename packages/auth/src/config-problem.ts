import { PortcullisConfigError, type ConfigErrorCode } from '@portcullis/core';

/**
 * Throws a configuration error found while preparing a setting the spec accepted (a
 * secret too short for its algorithm, a private key given as a public one), named by
 * the factory the user called and the path of the option.
 */
export type ConfigProblem = (
  path: string,
  detail: string,
  options?: { readonly code?: ConfigErrorCode; readonly cause?: unknown },
) => never;

/** The problem reporter of one factory: `authGuard`, `createTokenVerifier`. */
export function problemsOf(factory: string): ConfigProblem {
  return (path, detail, options = {}) => {
    throw new PortcullisConfigError(
      options.code ?? 'PORTCULLIS_CONFIG_INVALID_TYPE',
      path,
      detail,
      options.cause === undefined ? { factory } : { factory, cause: options.cause },
    );
  };
}

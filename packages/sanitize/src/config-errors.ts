import { PortcullisConfigError, type ConfigErrorCode } from '@portcullis/core';

/**
 * A set-up mistake found past the option spec (a policy name nobody defined, a
 * malformed field path): the same error class and shape as the spec's, so the preset
 * re-anchors its path (`portcullis: sanitize.fields["chat"]…`).
 */
export function configError(
  path: string,
  detail: string,
  code: ConfigErrorCode = 'PORTCULLIS_CONFIG_INVALID_TYPE',
): PortcullisConfigError {
  return new PortcullisConfigError(code, path, detail, { factory: 'sanitizeGuard' });
}

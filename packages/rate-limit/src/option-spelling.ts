import { PortcullisConfigError, type OptionSpec } from '@portcullis/core';

/**
 * A value that used to mean something and now fails, saying what to write instead.
 * (sanitize and size-limit carry the same two helpers: they belong in core's options
 * kit, as `opt.oldSpelling` and `opt.removed`.)
 */
export function oldSpelling(spec: OptionSpec, old: unknown, instead: string): OptionSpec {
  return {
    ...spec,
    check(value, path) {
      if (value === old) {
        throw new PortcullisConfigError('PORTCULLIS_CONFIG_INVALID_TYPE', path, instead);
      }
      spec.check(value, path);
    },
  };
}

/** An option that was removed: any value fails with where its job went. */
export function removedOption(instead: string): OptionSpec {
  return {
    expected: `nothing (removed: ${instead})`,
    check(_value, path) {
      throw new PortcullisConfigError(
        'PORTCULLIS_CONFIG_UNKNOWN_OPTION',
        path,
        `unknown option (removed: ${instead})`,
      );
    },
  };
}

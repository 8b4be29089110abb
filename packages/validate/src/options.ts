import type { ValidationOptions } from 'joi';
import { checkOptions, opt, type OptionSpec } from '@portcullis/core';

export interface ValidateGuardOptions {
  /**
   * Events without a schema. `'reject'` (default): refused with `VALIDATION_FAILED`, so a
   * handler nobody wrote a schema for never sees unchecked input. `'allow'`: they pass
   * unvalidated (the prototype-pollution check still applies).
   */
  unknownEvents?: 'reject' | 'allow';
  /** Remove object keys the schema does not name. Default `true`. */
  stripUnknown?: boolean;
  /** Apply joi's conversions (`'12'` to `12` for a number). Default `true`. */
  convert?: boolean;
  /** Stop at the first problem. Default `true` (cheaper; `false` lists up to 20). */
  abortEarly?: boolean;
  /**
   * Let `constructor` and `prototype` keys through to the schema. Default `false`:
   * they are refused at any depth, like `__proto__` (which is always refused).
   */
  allowConstructorKeys?: boolean;
}

export interface ValidateSettings {
  readonly rejectUnknownEvents: boolean;
  readonly joiOptions: ValidationOptions;
  readonly refuseConstructorKeys: boolean;
}

/**
 * `maxDepth` went with validate's own payload walk: depth is bounded by the one
 * structure walk (size-limit's `maxDepth`, or core's fallback of 32 when validate runs
 * without size-limit in front). Any value fails, saying so.
 */
const maxDepthRemoved: OptionSpec = opt.removed(
  'set the depth on sizeLimitGuard({ maxDepth }), installed before this guard; used ' +
    'alone, validate refuses payloads nested deeper than 32',
);

/** Every option `validateGuard(schemas, options)` takes (its second argument). */
export const validateGuardOptionsSpec: OptionSpec = opt.object({
  unknownEvents: opt.oneOf(['reject', 'allow']),
  stripUnknown: opt.boolean(),
  convert: opt.boolean(),
  abortEarly: opt.boolean(),
  allowConstructorKeys: opt.boolean(),
  maxDepth: maxDepthRemoved,
});

/** Normalises and checks the options once, in the factory. */
export function resolveValidateOptions(options: Readonly<ValidateGuardOptions>): ValidateSettings {
  checkOptions(validateGuardOptionsSpec, options, 'validateGuard');
  return {
    rejectUnknownEvents: (options.unknownEvents ?? 'reject') === 'reject',
    joiOptions: {
      convert: options.convert ?? true,
      stripUnknown: options.stripUnknown ?? true,
      abortEarly: options.abortEarly ?? true,
      allowUnknown: false,
      // Only paths and rule names are sent; rendering joi's messages is wasted work.
      errors: { render: false },
    },
    refuseConstructorKeys: !(options.allowConstructorKeys ?? false),
  };
}

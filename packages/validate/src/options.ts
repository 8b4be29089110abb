import type { ValidationOptions } from 'joi';

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
  /** Nesting levels of objects and arrays allowed in an argument. Default `32`. */
  maxDepth?: number;
}

export interface ValidateSettings {
  readonly rejectUnknownEvents: boolean;
  readonly joiOptions: ValidationOptions;
  readonly refuseConstructorKeys: boolean;
  readonly maxDepth: number;
}

const MAX_DEPTH_LIMIT = 1000;

function booleanOption(
  options: Readonly<ValidateGuardOptions>,
  name: keyof ValidateGuardOptions,
  fallback: boolean,
): boolean {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new TypeError(`validateGuard: ${name} must be true or false; got ${typeof value}.`);
  }
  return value;
}

/** Normalises and checks the options once, in the factory. */
export function resolveValidateOptions(options: Readonly<ValidateGuardOptions>): ValidateSettings {
  const unknownEvents = options.unknownEvents ?? 'reject';
  if (unknownEvents !== 'reject' && unknownEvents !== 'allow') {
    throw new TypeError(
      `validateGuard: unknownEvents must be 'reject' (default) or 'allow'; got ${JSON.stringify(unknownEvents)}.`,
    );
  }
  const maxDepth = options.maxDepth ?? 32;
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_DEPTH_LIMIT) {
    throw new TypeError(
      `validateGuard: maxDepth must be an integer from 1 to ${MAX_DEPTH_LIMIT}; got ${String(maxDepth)}.`,
    );
  }
  return {
    rejectUnknownEvents: unknownEvents === 'reject',
    joiOptions: {
      convert: booleanOption(options, 'convert', true),
      stripUnknown: booleanOption(options, 'stripUnknown', true),
      abortEarly: booleanOption(options, 'abortEarly', true),
      allowUnknown: false,
      // Only paths and rule names are sent; rendering joi's messages is wasted work.
      errors: { render: false },
    },
    refuseConstructorKeys: !booleanOption(options, 'allowConstructorKeys', false),
    maxDepth,
  };
}

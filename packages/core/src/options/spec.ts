import { PortcullisConfigError } from './config-error';
import { nearestName } from './nearest';

/**
 * The shape of one option: what it accepts, checked once at start-up. A spec only
 * checks (types, ranges, unknown keys at every depth); it never rewrites the value, so
 * a guard keeps its own defaults beside its options type.
 */
export interface OptionSpec {
  /** What a valid value looks like, in words: "an integer ≥ 1, or Infinity". */
  readonly expected: string;
  /** Throws a `PortcullisConfigError` naming `path` when `value` (never `undefined`) is wrong. */
  check(value: unknown, path: string): void;
  /** For an object spec: its keys. Read by `findUnknownOptions` and the option walk. */
  readonly fields?: Readonly<Record<string, FieldSpec>>;
  /** For a record or an array: the spec of each value. */
  readonly values?: OptionSpec;
  /** For a union: the alternatives. */
  readonly variants?: readonly OptionSpec[];
}

/** A key of an object spec: its spec and whether it must be given. */
export interface FieldSpec {
  readonly spec: OptionSpec;
  readonly required: boolean;
}

/** A cross-field rule of an object, run after its fields: return a problem, or nothing. */
export type ObjectRule = (value: Readonly<Record<string, unknown>>) => string | undefined;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Array specs, so a union can send an array to its array alternative and report its error. */
const arraySpecs = new WeakSet<OptionSpec>();

/** `a.b` for identifiers, `a["chat:send"]` for anything else. */
export function childPath(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function invalid(path: string, expected: string, value: unknown): never {
  throw new PortcullisConfigError(
    'PORTCULLIS_CONFIG_INVALID_TYPE',
    path,
    `must be ${expected}; got ${describeValue(value)}.`,
  );
}

function outOfRange(path: string, expected: string, value: unknown): never {
  throw new PortcullisConfigError(
    'PORTCULLIS_CONFIG_OUT_OF_RANGE',
    path,
    `must be ${expected}; got ${describeValue(value)}.`,
  );
}

/** A value in a message: short, and never the content of a secret. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
    case 'boolean':
      return String(value);
    case 'function':
      return 'a function';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

export interface NumberBounds {
  readonly min?: number;
  readonly max?: number;
}

function range(bounds: NumberBounds, unit = ''): string {
  const { min, max } = bounds;
  if (min !== undefined && max !== undefined) return `from ${min} to ${max}${unit}`;
  if (min !== undefined) return `≥ ${min}${unit}`;
  if (max !== undefined) return `≤ ${max}${unit}`;
  return '';
}

function inBounds(value: number, bounds: NumberBounds): boolean {
  return (
    (bounds.min === undefined || value >= bounds.min) &&
    (bounds.max === undefined || value <= bounds.max)
  );
}

/** Builders for option specs; every guard describes its options with these. */
export const opt = {
  /** A finite number within bounds. */
  number(bounds: NumberBounds = {}): OptionSpec {
    const expected = `a number ${range(bounds)}`.trim();
    return {
      expected,
      check(value, path) {
        if (typeof value !== 'number' || !Number.isFinite(value)) invalid(path, expected, value);
        if (!inBounds(value, bounds)) outOfRange(path, expected, value);
      },
    };
  },

  /** An integer within bounds; `infinity: true` also takes `Infinity` ("no cap"). */
  integer(bounds: NumberBounds & { readonly infinity?: boolean } = {}): OptionSpec {
    const expected = `an integer ${range(bounds)}${bounds.infinity === true ? ', or Infinity' : ''}`
      .replace('  ', ' ')
      .trim();
    return {
      expected,
      check(value, path) {
        if (value === Infinity && bounds.infinity === true) return;
        if (typeof value !== 'number' || !Number.isInteger(value)) invalid(path, expected, value);
        if (!inBounds(value, bounds)) outOfRange(path, expected, value);
      },
    };
  },

  /** Milliseconds: a finite number within bounds (default ≥ 0). */
  duration(bounds: NumberBounds = { min: 0 }): OptionSpec {
    const expected = `a number of milliseconds ${range(bounds)}`.trim();
    return {
      expected,
      check(value, path) {
        if (typeof value !== 'number' || !Number.isFinite(value)) invalid(path, expected, value);
        if (!inBounds(value, bounds)) outOfRange(path, expected, value);
      },
    };
  },

  boolean(): OptionSpec {
    return {
      expected: 'true or false',
      check(value, path) {
        if (typeof value !== 'boolean') invalid(path, 'true or false', value);
      },
    };
  },

  /** A string; non-empty unless told otherwise. */
  string(options: { readonly allowEmpty?: boolean; readonly maxLength?: number } = {}): OptionSpec {
    const expected = options.allowEmpty === true ? 'a string' : 'a non-empty string';
    return {
      expected,
      check(value, path) {
        if (typeof value !== 'string') invalid(path, expected, value);
        if (value.length === 0 && options.allowEmpty !== true) outOfRange(path, expected, value);
        if (options.maxLength !== undefined && value.length > options.maxLength) {
          outOfRange(path, `at most ${options.maxLength} characters`, value);
        }
      },
    };
  },

  /** One of a few literal values. */
  oneOf<T extends string | number | boolean>(values: readonly T[]): OptionSpec {
    const expected = values.map((value) => JSON.stringify(value)).join(' or ');
    return {
      expected,
      check(value, path) {
        if (!values.includes(value as T)) invalid(path, expected, value);
      },
    };
  },

  /** A function (a hook, a clock, a predicate). */
  func(): OptionSpec {
    return {
      expected: 'a function',
      check(value, path) {
        if (typeof value !== 'function') invalid(path, 'a function', value);
      },
    };
  },

  /** Anything the predicate accepts (a Redis client, a joi schema, a bus). */
  custom(expected: string, accepts: (value: unknown) => boolean): OptionSpec {
    return {
      expected,
      check(value, path) {
        if (!accepts(value)) invalid(path, expected, value);
      },
    };
  },

  /** Any value at all: for options whose shape belongs to another library. */
  any(expected = 'any value'): OptionSpec {
    return { expected, check() {} };
  },

  /**
   * A plain object with these keys, no others (at any depth: its fields' specs check
   * theirs). `undefined` stands for an absent key. `rules` run once the fields pass.
   */
  object(
    fields: Readonly<Record<string, OptionSpec | FieldSpec>>,
    rules: readonly ObjectRule[] = [],
  ): OptionSpec {
    const normalized: Record<string, FieldSpec> = {};
    for (const [key, field] of Object.entries(fields)) {
      normalized[key] = 'spec' in field ? field : { spec: field, required: false };
    }
    const known = Object.keys(normalized);
    return {
      expected: 'an object',
      fields: normalized,
      check(value, path) {
        if (!isPlainObject(value)) invalid(path, 'an object', value);
        // Unknown keys anywhere below are reported before a missing or wrong value: a
        // misspelt key is the likeliest cause of both.
        findUnknownOptions(this, value, path);
        for (const key of known) {
          const field = normalized[key] as FieldSpec;
          const child = value[key];
          const where = childPath(path, key);
          if (child === undefined) {
            if (field.required) {
              throw new PortcullisConfigError(
                'PORTCULLIS_CONFIG_MISSING',
                where,
                `is required (${field.spec.expected}).`,
              );
            }
            continue;
          }
          field.spec.check(child, where);
        }
        for (const rule of rules) {
          const problem = rule(value);
          if (problem !== undefined) {
            throw new PortcullisConfigError('PORTCULLIS_CONFIG_CONFLICT', path, problem);
          }
        }
      },
    };
  },

  /** A key that must be given. */
  required(spec: OptionSpec): FieldSpec {
    return { spec, required: true };
  },

  /** An object whose keys are the user's (event names, room patterns), each value checked. */
  record(values: OptionSpec, keyExpected = 'any key'): OptionSpec {
    return {
      expected: `an object of ${values.expected} (${keyExpected})`,
      values,
      check(value, path) {
        if (!isPlainObject(value)) invalid(path, `an object of ${values.expected}`, value);
        for (const key of Object.keys(value)) {
          const child = value[key];
          if (child !== undefined) values.check(child, childPath(path, key));
        }
      },
    };
  },

  /** An array, each element checked. */
  array(values: OptionSpec, options: { readonly minLength?: number } = {}): OptionSpec {
    const expected = `an array of ${values.expected}`;
    const spec: OptionSpec = {
      expected,
      values,
      check(value, path) {
        if (!Array.isArray(value)) invalid(path, expected, value);
        if (options.minLength !== undefined && value.length < options.minLength) {
          outOfRange(path, `${expected} with at least ${options.minLength} entries`, value);
        }
        value.forEach((element: unknown, index) => values.check(element, `${path}[${index}]`));
      },
    };
    arraySpecs.add(spec);
    return spec;
  },

  /**
   * One of several shapes. A plain object goes to the object alternative (its errors,
   * unknown keys included, are the ones reported); anything else must pass one of them.
   * When an array fails only because of one entry of the one array alternative, that
   * entry is named (`origins[2]: must be …; got 42`).
   */
  union(...variants: OptionSpec[]): OptionSpec {
    const expected = variants.map((variant) => variant.expected).join(', or ');
    return {
      expected,
      variants,
      check(value, path) {
        const objectVariant = variants.find((variant) => variant.fields !== undefined);
        if (objectVariant !== undefined && isPlainObject(value)) {
          objectVariant.check(value, path);
          return;
        }
        const arrayVariants = variants.filter((variant) => arraySpecs.has(variant));
        let elementError: PortcullisConfigError | undefined;
        for (const variant of variants) {
          if (variant === objectVariant) continue;
          try {
            variant.check(value, path);
            return;
          } catch (error) {
            if (!(error instanceof PortcullisConfigError)) throw error;
            // An entry of the one array alternative is wrong: name that entry.
            const isEntry = error.path.startsWith(`${path}[`);
            if (arrayVariants.length === 1 && variant === arrayVariants[0] && isEntry) {
              elementError = error;
            }
          }
        }
        if (elementError !== undefined && Array.isArray(value)) throw elementError;
        invalid(path, expected, value);
      },
    };
  },

  /**
   * `spec`, except that `old` (a retired way of saying something, like `Infinity` for
   * "no cap" or `0` for "off") is refused with `instead`, a sentence naming the new way.
   */
  oldSpelling(spec: OptionSpec, old: unknown, instead: string): OptionSpec {
    return {
      ...spec,
      check(value, path) {
        if (Object.is(value, old)) {
          throw new PortcullisConfigError('PORTCULLIS_CONFIG_INVALID_TYPE', path, instead);
        }
        spec.check(value, path);
      },
    };
  },

  /**
   * An option that no longer exists: kept in the spec so its key is refused with the way
   * to migrate (`instead`) rather than a guess at a similar name.
   */
  removed(instead: string): OptionSpec {
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
  },

  /** `false` turns the thing off; anything else must match `spec`. The one "off" word. */
  off(spec: OptionSpec): OptionSpec {
    return opt.union(opt.oneOf([false]), spec);
  },
};

/** Throws on the first key of `value` (at any depth) that `spec` does not know. */
export function findUnknownOptions(spec: OptionSpec, value: unknown, path: string): void {
  if (spec.fields !== undefined) {
    if (!isPlainObject(value)) return;
    for (const key of Object.keys(value)) {
      const field = spec.fields[key];
      if (field === undefined) {
        const near = nearestName(key, Object.keys(spec.fields));
        throw new PortcullisConfigError(
          'PORTCULLIS_CONFIG_UNKNOWN_OPTION',
          childPath(path, key),
          'unknown option',
          near === undefined ? {} : { suggestion: childPath(path, near) },
        );
      }
      if (value[key] !== undefined)
        findUnknownOptions(field.spec, value[key], childPath(path, key));
    }
    return;
  }
  if (spec.variants !== undefined) {
    const objectVariant = spec.variants.find((variant) => variant.fields !== undefined);
    if (objectVariant !== undefined && isPlainObject(value)) {
      findUnknownOptions(objectVariant, value, path);
    }
    return;
  }
  if (spec.values !== undefined) {
    if (Array.isArray(value)) {
      value.forEach((element: unknown, index) =>
        findUnknownOptions(spec.values as OptionSpec, element, `${path}[${index}]`),
      );
    } else if (isPlainObject(value)) {
      for (const key of Object.keys(value)) {
        findUnknownOptions(spec.values, value[key], childPath(path, key));
      }
    }
  }
}

/**
 * Checks a factory's options against its spec, once, at start-up. Errors name the
 * factory and the path: `authGuard: audiance: unknown option, did you mean audience?`.
 */
export function checkOptions(spec: OptionSpec, value: unknown, factory: string): void {
  try {
    spec.check(value, '');
  } catch (error) {
    if (error instanceof PortcullisConfigError && error.factory === undefined) {
      throw new PortcullisConfigError(error.code, error.path, error.detail, {
        factory,
        ...(error.suggestion === undefined ? {} : { suggestion: error.suggestion }),
        cause: error.cause,
      });
    }
    throw error;
  }
}

/**
 * The closed set of configuration error codes, so `switch (error.code)` narrows. Thrown
 * at start-up only, never because of a client.
 */
export const CONFIG_ERROR_CODES = [
  'PORTCULLIS_CONFIG_UNKNOWN_OPTION',
  'PORTCULLIS_CONFIG_INVALID_TYPE',
  'PORTCULLIS_CONFIG_OUT_OF_RANGE',
  'PORTCULLIS_CONFIG_MISSING',
  'PORTCULLIS_CONFIG_CONFLICT',
] as const;

export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

export interface PortcullisConfigErrorOptions {
  /** The function whose options these are: `portcullis`, `authGuard`, … */
  readonly factory?: string;
  /** The full path of the nearest known option, for an unknown one. */
  readonly suggestion?: string;
  readonly cause?: unknown;
}

function compose(factory: string | undefined, path: string, problem: string): string {
  const where = path === '' ? '' : `${path}: `;
  return `${factory === undefined ? '' : `${factory}: `}${where}${problem}`;
}

/** The problem in words; an unknown option names its nearest known one. */
function problemOf(code: ConfigErrorCode, detail: string, suggestion: string | undefined): string {
  if (code !== 'PORTCULLIS_CONFIG_UNKNOWN_OPTION') return detail;
  return suggestion === undefined ? detail : `${detail}, did you mean ${suggestion}?`;
}

/**
 * A misconfigured guard, found when its factory runs. `path` names the option from the
 * top of what the user passed (`auth.audience`, `sizeLimit.events["upload"].maxBytes`),
 * and the message says how to fix it. A `TypeError`, as a misuse of the API is one.
 *
 * @example
 * portcullis(io, { …, auth: { secret, algorithms: ['HS256'], audiance: 'app' } });
 * // PortcullisConfigError: portcullis: auth.audiance: unknown option, did you mean auth.audience?
 */
export class PortcullisConfigError extends TypeError {
  readonly code: ConfigErrorCode;
  readonly path: string;
  readonly suggestion: string | undefined;
  readonly factory: string | undefined;
  /** What is wrong, without the path: kept so an outer factory can re-anchor the path. */
  readonly detail: string;

  constructor(
    code: ConfigErrorCode,
    path: string,
    detail: string,
    options: PortcullisConfigErrorOptions = {},
  ) {
    super(compose(options.factory, path, problemOf(code, detail, options.suggestion)), {
      cause: options.cause,
    });
    this.name = 'PortcullisConfigError';
    this.code = code;
    this.path = path;
    this.detail = detail;
    this.suggestion = options.suggestion;
    this.factory = options.factory;
  }

  /** The same error with its path under `prefix`, reported by `factory`. */
  under(prefix: string, factory?: string): PortcullisConfigError {
    const anchor = (path: string): string => (path === '' ? prefix : `${prefix}.${path}`);
    return new PortcullisConfigError(this.code, anchor(this.path), this.detail, {
      ...(this.suggestion === undefined ? {} : { suggestion: anchor(this.suggestion) }),
      ...(factory === undefined ? {} : { factory }),
      cause: this.cause,
    });
  }
}

/** Brand check that works across copies of core (never rely on `instanceof`). */
export function isPortcullisConfigError(value: unknown): value is PortcullisConfigError {
  return (
    value instanceof Error &&
    value.name === 'PortcullisConfigError' &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { path?: unknown }).path === 'string'
  );
}

/**
 * Runs a guard's factory on options found under `prefix` of a larger object, so a
 * configuration error inside it names the full path: `portcullis(io, { auth: … })`
 * reports `portcullis: auth.audiance`, not `authGuard: audiance`.
 */
export function withOptionPath<T>(prefix: string, factory: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (isPortcullisConfigError(error)) throw error.under(prefix, factory);
    throw error;
  }
}

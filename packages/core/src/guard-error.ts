import { CODE_INFO, type GuardErrorCode } from './codes';

/** One entry of `details`: where a payload was wrong and how, never the value itself. */
export interface GuardErrorDetail {
  readonly path: string;
  readonly type: string;
}

/**
 * What reaches the client: `err.data` in `connect_error`, the `error` of an ack, the
 * payload of `portcullis:error` and `portcullis:disconnect`. Plain JSON only.
 */
export interface GuardErrorData {
  readonly code: GuardErrorCode;
  readonly message: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly details?: readonly GuardErrorDetail[];
  /** Public, non-secret facts a client may use (e.g. `{ limitBytes: 65536 }`). */
  readonly info?: Readonly<Record<string, string | number | boolean>>;
}

export interface GuardErrorOptions {
  message?: string;
  retryable?: boolean;
  retryAfterMs?: number;
  details?: readonly GuardErrorDetail[];
  info?: Readonly<Record<string, string | number | boolean>>;
  /** The low-level error, kept on the server side only. */
  cause?: unknown;
}

/**
 * The one error type guards refuse with.
 *
 * Socket.io sends only `{ message, data }` of an `io.use` error to the client, so the
 * payload the client needs lives in `data`. The underlying library error travels as
 * `cause` and never reaches a client. Compare `err.code`, not `instanceof`: the ESM and
 * CommonJS builds each have their own copy of this class.
 */
export class GuardError extends Error {
  override readonly name = 'GuardError';
  readonly code: GuardErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly data: GuardErrorData;

  constructor(code: GuardErrorCode, options: GuardErrorOptions = {}) {
    const info = CODE_INFO[code];
    const message = options.message ?? info.message;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? info.retryable;
    this.retryAfterMs =
      options.retryAfterMs === undefined ? undefined : Math.max(0, Math.ceil(options.retryAfterMs));
    const data: {
      code: GuardErrorCode;
      message: string;
      retryable: boolean;
      retryAfterMs?: number;
      details?: readonly GuardErrorDetail[];
      info?: Readonly<Record<string, string | number | boolean>>;
    } = { code, message, retryable: this.retryable };
    if (this.retryAfterMs !== undefined) data.retryAfterMs = this.retryAfterMs;
    if (options.details !== undefined) data.details = options.details;
    if (options.info !== undefined) data.info = options.info;
    this.data = data;
  }
}

/** Duck-typed check that works across the ESM and CommonJS copies of the class. */
export function isGuardError(value: unknown): value is GuardError {
  return (
    value instanceof Error &&
    (value as { name?: unknown }).name === 'GuardError' &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { data?: unknown }).data === 'object'
  );
}

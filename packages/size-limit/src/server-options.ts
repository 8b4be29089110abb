import type { AnyServer } from '@portcullis/core';
import { largestMaxBytes, resolveOptions, type SizeLimitGuardOptions } from './options';

/** Socket.io's own default for `maxHttpBufferSize`. */
const SOCKET_IO_DEFAULT_MAX_HTTP_BUFFER_SIZE = 1e6;

/** Above this many times the largest limit, the engine reads and parses far more than the guard lets through. */
const TOO_LARGE_FACTOR = 4;

export type ServerOptionWarningCode =
  'PORTCULLIS_MAX_HTTP_BUFFER_TOO_SMALL' | 'PORTCULLIS_MAX_HTTP_BUFFER_TOO_LARGE';

export interface ServerOptionWarning {
  readonly code: ServerOptionWarningCode;
  readonly message: string;
  /** The `maxHttpBufferSize` to use instead. */
  readonly recommended: number;
}

/** Something `checkServerOptions` can read the limits from: the guard or its options. */
export type LimitsSource = { readonly largestMaxBytes: number } | Readonly<SizeLimitGuardOptions>;

/**
 * `maxHttpBufferSize` that fits the limits: twice the largest `maxBytes`, so a message
 * up to twice too large still reaches the guard and is answered with
 * `PAYLOAD_TOO_LARGE`, while anything bigger is cut by the engine before it is parsed.
 */
export function recommendedMaxHttpBufferSize(source: LimitsSource = {}): number {
  return 2 * largestOf(source, 'recommendedMaxHttpBufferSize');
}

function largestOf(source: LimitsSource, factory: string): number {
  if ('largestMaxBytes' in source && typeof source.largestMaxBytes === 'number') {
    return source.largestMaxBytes;
  }
  return largestMaxBytes(resolveOptions(source as Readonly<SizeLimitGuardOptions>, factory));
}

function maxHttpBufferSizeOf(io: AnyServer): number {
  const engine = (io as unknown as { engine?: { opts?: { maxHttpBufferSize?: unknown } } }).engine;
  const value = engine?.opts?.maxHttpBufferSize;
  return typeof value === 'number' ? value : SOCKET_IO_DEFAULT_MAX_HTTP_BUFFER_SIZE;
}

/**
 * Compares the server's `maxHttpBufferSize` with the guard's limits. Engine.io closes a
 * connection that sends a frame over `maxHttpBufferSize` without telling the client
 * why, so the guard's limit must sit below it (the guard answers with a code), and not
 * far below it (Socket.io parses every frame up to it). Returns the warnings; an empty
 * array means the settings fit.
 */
export function checkServerOptions(
  io: AnyServer,
  source: LimitsSource = {},
): ServerOptionWarning[] {
  const largest = largestOf(source, 'checkServerOptions');
  const actual = maxHttpBufferSizeOf(io);
  const recommended = 2 * largest;
  if (actual <= largest) {
    return [
      {
        code: 'PORTCULLIS_MAX_HTTP_BUFFER_TOO_SMALL',
        message:
          `maxHttpBufferSize (${actual}) is not above the largest message size-limit accepts ` +
          `(${largest} bytes): bigger messages are dropped by the engine, which closes the ` +
          `connection without an error the client can see. Set maxHttpBufferSize: ${recommended} ` +
          `in the Server options.`,
        recommended,
      },
    ];
  }
  if (actual > TOO_LARGE_FACTOR * largest) {
    return [
      {
        code: 'PORTCULLIS_MAX_HTTP_BUFFER_TOO_LARGE',
        message:
          `maxHttpBufferSize (${actual}) is more than ${TOO_LARGE_FACTOR} times the largest ` +
          `message size-limit accepts (${largest} bytes): Socket.io reads and parses frames ` +
          `that large only for the guard to refuse them. Set maxHttpBufferSize: ${recommended} ` +
          `in the Server options.`,
        recommended,
      },
    ];
  }
  return [];
}

/** The options of `idleTimeoutGuard`: their types, defaults and spec. */
import { opt, type OptionSpec } from '@portcullis/core';

export interface IdleTimeoutGuardOptions {
  /**
   * Disconnect a socket after this long without an application packet. Default
   * 600,000 (10 minutes). Socket.io's heartbeat (engine.io ping/pong) never counts.
   * `false` turns the idle check off (the other checks stay).
   */
  idleTimeoutMs?: number | false;
  /**
   * Disconnect a socket this long after its handshake, however active it is (forces a
   * periodic reconnect, e.g. to rebalance nodes or re-run the handshake guards).
   * Default `false`: no maximum age.
   */
  maxConnectionAgeMs?: number | false;
  /**
   * Which received events count as activity. Default: every event that reaches this
   * guard. Return `false` for an application-level keep-alive (e.g. `presence:ping`)
   * that should not keep an idle user connected.
   */
  countsAsActivity?: (event: string) => boolean;
  /**
   * Disconnect a client that does not read what the server sends: once more than this
   * many bytes wait for it (engine.io's write buffer plus, on WebSocket, what `ws` and
   * the TCP socket hold) for `slowReaderGraceMs` in a row. Such a client can answer the
   * heartbeat without reading and send an event now and then, and the server would
   * buffer every broadcast to it without end. Default 1 MiB. `false` turns it off.
   */
  maxBufferedBytes?: number | false;
  /** How long the buffer may stay over `maxBufferedBytes` before the cut. Default 10,000. */
  slowReaderGraceMs?: number;
}

export interface SlowReaderLimits {
  readonly maxBufferedBytes: number;
  readonly graceMs: number;
}

export interface ResolvedIdleTimeoutOptions {
  /** `Infinity` stands for `false`: no idle deadline. */
  readonly idleTimeoutMs: number;
  /** `Infinity` stands for `false`: no maximum age. */
  readonly maxConnectionAgeMs: number;
  readonly countsAsActivity: ((event: string) => boolean) | undefined;
  /** `undefined` when slow readers are not watched. */
  readonly slowReaders: SlowReaderLimits | undefined;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60 * 1000;
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
export const DEFAULT_SLOW_READER_GRACE_MS = 10_000;

type Raw = Readonly<Record<string, unknown>>;

/** Every option `idleTimeoutGuard` takes. */
export const idleTimeoutGuardOptionsSpec: OptionSpec = opt.object(
  {
    idleTimeoutMs: opt.off(opt.duration({ min: 1 })),
    maxConnectionAgeMs: opt.off(opt.duration({ min: 1 })),
    countsAsActivity: opt.func(),
    maxBufferedBytes: opt.off(opt.integer({ min: 1 })),
    slowReaderGraceMs: opt.duration({ min: 1 }),
    now: opt.removed("idleTimeoutGuard reads core's clock: configurePortcullis(io, { now })"),
  },
  [
    (value: Raw) =>
      value.maxBufferedBytes === false && value.slowReaderGraceMs !== undefined
        ? 'slowReaderGraceMs only applies to slow readers, which maxBufferedBytes: false turns off.'
        : undefined,
    (value: Raw) =>
      value.idleTimeoutMs === false &&
      (value.maxConnectionAgeMs ?? false) === false &&
      value.maxBufferedBytes === false
        ? 'every check is off (idleTimeoutMs, maxConnectionAgeMs, maxBufferedBytes): leave the ' +
          'guard out instead (idleTimeout: false in the portcullis preset).'
        : undefined,
  ],
);

/** The options with their defaults (the spec has checked them). */
export function resolveIdleTimeoutOptions(
  options: Readonly<IdleTimeoutGuardOptions>,
): ResolvedIdleTimeoutOptions {
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const maxConnectionAgeMs = options.maxConnectionAgeMs ?? false;
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  return {
    idleTimeoutMs: idleTimeoutMs === false ? Infinity : idleTimeoutMs,
    maxConnectionAgeMs: maxConnectionAgeMs === false ? Infinity : maxConnectionAgeMs,
    countsAsActivity: options.countsAsActivity,
    slowReaders:
      maxBufferedBytes === false
        ? undefined
        : {
            maxBufferedBytes,
            graceMs: options.slowReaderGraceMs ?? DEFAULT_SLOW_READER_GRACE_MS,
          },
  };
}

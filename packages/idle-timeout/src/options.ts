/** Options of `idleTimeoutGuard`. */
export interface IdleTimeoutGuardOptions {
  /**
   * Disconnect a socket after this long without an application packet. Default
   * 600,000 (10 minutes). Socket.io's heartbeat (engine.io ping/pong) never counts.
   */
  idleTimeoutMs?: number;
  /**
   * Disconnect a socket this long after its handshake, however active it is (forces a
   * periodic reconnect, e.g. to rebalance nodes or re-run the handshake guards).
   * Default: none.
   */
  maxConnectionAgeMs?: number;
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
  /** Clock in epoch milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface ResolvedIdleTimeoutOptions {
  readonly idleTimeoutMs: number;
  readonly maxConnectionAgeMs: number | undefined;
  readonly countsAsActivity: ((event: string) => boolean) | undefined;
  /** `undefined` when slow readers are not watched. */
  readonly slowReaders: SlowReaderLimits | undefined;
  readonly now: () => number;
}

export interface SlowReaderLimits {
  readonly maxBufferedBytes: number;
  readonly graceMs: number;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60 * 1000;
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
export const DEFAULT_SLOW_READER_GRACE_MS = 10_000;

function checkDuration(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(
      `idleTimeoutGuard: ${option} must be a positive number of milliseconds ` +
        `(got ${String(value)}), e.g. ${option}: 10 * 60 * 1000.`,
    );
  }
  return value;
}

function checkFunction<T>(value: T | undefined, option: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`idleTimeoutGuard: ${option} must be a function.`);
  }
  return value;
}

/** Validates the options once, when the guard is created. */
export function resolveIdleTimeoutOptions(
  options: Readonly<IdleTimeoutGuardOptions>,
): ResolvedIdleTimeoutOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('idleTimeoutGuard: options must be an object, e.g. { idleTimeoutMs }.');
  }
  return {
    idleTimeoutMs: checkDuration(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, 'idleTimeoutMs'),
    maxConnectionAgeMs:
      options.maxConnectionAgeMs === undefined
        ? undefined
        : checkDuration(options.maxConnectionAgeMs, 'maxConnectionAgeMs'),
    countsAsActivity: checkFunction(options.countsAsActivity, 'countsAsActivity'),
    slowReaders: resolveSlowReaders(options),
    now: checkFunction(options.now, 'now') ?? Date.now,
  };
}

function resolveSlowReaders(
  options: Readonly<IdleTimeoutGuardOptions>,
): SlowReaderLimits | undefined {
  const { maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES } = options;
  if (maxBufferedBytes === false) return undefined;
  if (
    typeof maxBufferedBytes !== 'number' ||
    !Number.isInteger(maxBufferedBytes) ||
    maxBufferedBytes <= 0
  ) {
    throw new TypeError(
      `idleTimeoutGuard: maxBufferedBytes must be a positive integer of bytes or false ` +
        `(got ${String(maxBufferedBytes)}), e.g. maxBufferedBytes: 1024 * 1024.`,
    );
  }
  return {
    maxBufferedBytes,
    graceMs: checkDuration(
      options.slowReaderGraceMs ?? DEFAULT_SLOW_READER_GRACE_MS,
      'slowReaderGraceMs',
    ),
  };
}
